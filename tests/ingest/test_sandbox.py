import time

import pytest

from briefings.ingest.extract import ExtractionError
from briefings.ingest.sandbox import extract_isolated, shutdown

PAGE = b"<html><body><article>" + b"<p>Words of the story, one after another.</p>" * 30
PAGE += b"</article></body></html>"


@pytest.fixture(autouse=True)
def fresh_pool():
    yield
    shutdown()


def test_extraction_runs_in_a_worker():
    extraction = extract_isolated(PAGE, "https://paper.example/a")
    assert "Words of the story" in extraction.body_text


def stuck_extraction(html, url, rules):
    """Stands for a pathological page: never returns on its own."""
    time.sleep(3600)


def test_a_call_past_its_deadline_is_killed_and_the_pool_recovers():
    started = time.monotonic()
    with pytest.raises(ExtractionError, match="longer than"):
        extract_isolated(PAGE, "https://paper.example/slow", timeout=0.5,
                         task=stuck_extraction)  # fmt: skip
    assert time.monotonic() - started < 10
    assert "Words" in extract_isolated(PAGE, "https://paper.example/a").body_text


def test_extraction_errors_come_back_as_errors():
    with pytest.raises(ExtractionError):
        extract_isolated(b"<html><body></body></html>", "https://paper.example/empty")


def test_two_hundred_thousand_nested_divs_do_not_hang():
    deep = b"<html><body>" + b"<div>" * 200_000 + b"x" + b"</div>" * 200_000
    with pytest.raises(ExtractionError):
        extract_isolated(deep + b"</body></html>", "https://paper.example/deep")
