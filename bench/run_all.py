#!/usr/bin/env python3
"""Run every benchmark in bench/ with its defaults (what `make bench` does)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "feed_parsers.py",
    "extraction_accuracy.py",
    "extraction_speed.py",
    "ingest_e2e.py",
    "edition_quality.py",
]


def main() -> int:
    status = 0
    for script in SCRIPTS:
        print(f"\n=== {script} ===", flush=True)
        rc = subprocess.call([sys.executable, str(HERE / script)], cwd=HERE.parent)
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main())
