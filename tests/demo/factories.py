"""A small synthetic corpus and network file for the demo network tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

NOW = datetime(2024, 3, 15, 10, 30, tzinfo=UTC)
EVIL_TITLE = 'Minister says "no" to <script>alert(1)</script> & more'

NETWORK_YAML = """\
network:
  name: Test News Network
  site_name: Test Briefings
publications:
- {slug: alpha-daily, name: Alpha Daily, country: CN, region: northeast-asia,
   language: en, timezone: Asia/Shanghai, description: Alpha paper.}
- {slug: beta-times, name: Beta Times, country: JP, region: northeast-asia,
   language: en, timezone: Asia/Tokyo, description: Beta paper.}
- {slug: gamma-post, name: Gamma Post, country: MY, region: southeast-asia,
   language: en, timezone: Asia/Kuala_Lumpur, description: Gamma paper.}
- {slug: delta-star, name: Delta Star, country: MY, region: southeast-asia,
   language: en, timezone: Asia/Kuala_Lumpur, description: Delta paper.}
- {slug: epsilon-post, name: Epsilon Post, country: NP, region: south-asia,
   language: en, timezone: Asia/Kathmandu, description: Epsilon paper.}
- {slug: zeta-island, name: Zeta Island, country: LK, region: south-asia,
   language: en, timezone: Asia/Colombo, description: Zeta paper.}
"""

# (country, region) pairs cycled over the synthetic records.
PLACES = [
    (["China"], ["Northeast Asia"]),
    (["Japan"], ["Northeast Asia"]),
    (["Malaysia"], ["Southeast Asia"]),
    (["Nepal"], ["South Asia"]),
    (["Sri Lanka"], ["South Asia"]),
    (["Afghanistan"], ["South Asia"]),
    (["Taiwan"], ["Northeast Asia"]),
    (["Afghanistan", "Nepal"], ["South Asia"]),
]


def make_record(number: int, **overrides: object) -> dict:
    """Return one synthetic corpus record."""
    countries, regions = PLACES[number % len(PLACES)]
    title = f"Story number {number} about {countries[0]}"
    record = {
        "id": f"wikinews-en-{1000 + number}",
        "title": title,
        "date": (date(2006, 1, 1) + timedelta(days=7 * number)).isoformat(),
        "body": (
            f"Officials in {countries[0]} said on Monday that event {number} "
            "happened. Dr. Smith confirmed it.\n\n"
            f"A second paragraph of story {number} adds detail.\n\n"
            "A third paragraph closes the story."
        ),
        "url": f"https://en.wikinews.org/wiki/Story_{number}",
        "author": "Wikinews contributors",
        "license": "CC BY 2.5",
        "license_url": "https://creativecommons.org/licenses/by/2.5/",
        "asia_countries": countries,
        "asia_regions": regions,
        "categories": ["Politics and conflicts"],
    }
    record.update(overrides)
    return record


def write_corpus(path: Path, records: list[dict], bad_lines: int = 0) -> Path:
    """Write records as JSON Lines, interleaving some malformed lines."""
    lines = [json.dumps(r) for r in records]
    for index in range(bad_lines):
        lines.insert(index * 3, "{not json" if index % 2 else '{"id": "x"}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
