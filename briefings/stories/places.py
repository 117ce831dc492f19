"""Which member-network countries an article mentions, from a gazetteer kept as
data (data/places.json: country code -> names, demonyms, cities, leaders)."""

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

from briefings.stories.tokenize import normalize

GAZETTEER = Path(__file__).resolve().parent / "data" / "places.json"


def _alternation(aliases):
    # Longest alias first, so "south korea" is matched before any shorter name.
    ordered = sorted(aliases, key=lambda a: (-len(a), a))
    return "|".join(re.escape(a) for a in ordered) or "(?!)"


@cache
def _matchers():
    table = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    country_of = {
        alias: code
        for code, aliases in table.items()
        if not code.startswith("_")
        for alias in aliases
    }
    cased = [a for a in country_of if a.isascii()]
    uncased = [a for a in country_of if not a.isascii()]  # CJK, Thai: no spaces
    return (
        re.compile(rf"(?<![\w-])(?:{_alternation(cased)})(?![\w-])"),
        re.compile(_alternation(uncased)),
        country_of,
    )


def countries(*texts):
    """Return Counter(country code -> mentions) over `texts`."""
    cased, uncased, country_of = _matchers()
    found = Counter()
    for text in texts:
        text = normalize(text)
        for matcher in (cased, uncased):
            for match in matcher.finditer(text):
                found[country_of[match.group(0)]] += 1
    return found
