"""Fixtures: a small synthetic corpus and network file, and a running server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefings.demo.network import DemoNetwork
from briefings.demo.server import DemoServer

from .factories import EVIL_TITLE, NETWORK_YAML, NOW, make_record, write_corpus


@pytest.fixture
def network_file(tmp_path: Path) -> Path:
    """Return a network YAML file of six papers."""
    path = tmp_path / "network.yaml"
    path.write_text(NETWORK_YAML, encoding="utf-8")
    return path


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    """Return a corpus of 80 records, one with a hostile title, and bad lines."""
    records = [make_record(n) for n in range(80)]
    records[0] = make_record(0, title=EVIL_TITLE)
    return write_corpus(tmp_path / "corpus.jsonl", records, bad_lines=2)


@pytest.fixture
def network(corpus_file: Path, network_file: Path) -> DemoNetwork:
    """Return the demo network built from the synthetic files at a fixed now."""
    return DemoNetwork.load(corpus_file, network_file, days=30, now=NOW)


@pytest.fixture
def server(network: DemoNetwork) -> Iterator[DemoServer]:
    """Return a running server on a free port, stopped after the test."""
    demo = DemoServer(network, host="127.0.0.1", port=0)
    demo.start()
    yield demo
    demo.stop()
