"""Which countries, regions, cities and people an article mentions, from a
gazetteer kept as data (data/places.yaml: per country its names, demonyms, main
regions (provinces, states, islands), main cities and prominent people, each with
its other spellings and native-script names).

One compiled regular expression reads a text once (about 0.3 ms for 2,000
characters). Its alternatives are a trie of the names, so each position costs
one branch per character rather than a try of every name. Latin-script names
must stand as whole words and start with a capital letter in the text; names in
scripts written without spaces (Chinese, Japanese, Korean, Thai, Khmer) match
anywhere. At each position the longest name wins, so "New Delhi" is one city
and "South China Sea" (an ignored name) is not China. Hyphens and spaces are
the same to a name: "Kim Jong-un" is "Kim Jong Un".
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from briefings.stories.tokenize import MAX_CHARS

GAZETTEER = Path(__file__).resolve().parent / "data" / "places.yaml"

COUNTRY, REGION, CITY, PERSON = "country", "region", "city", "person"
KINDS = (COUNTRY, REGION, CITY, PERSON)

# Every space and hyphen becomes one space, curly apostrophes straight ones: one
# character for one, so positions in the folded text are those of the text.
_FOLD = str.maketrans(
    {c: " " for c in "\t\n\r\f\v\u2028\u2029-\u2010\u2011\u2012\u2013"}
    | {"\u2019": "'", "\u2018": "'"}
)


class GazetteerError(ValueError):
    """The gazetteer file is malformed or gives one name to two entries."""


@dataclass(frozen=True, order=True)
class Place:
    """A country, region, city or person, under its display name, with its
    country."""

    country: str  # ISO 3166-1 alpha-2
    kind: str  # COUNTRY, REGION, CITY or PERSON
    name: str


@dataclass(frozen=True)
class Gazetteer:
    as_of: str
    country_names: dict  # code -> display name
    places: dict  # folded name -> Place, or None for an ignored name
    pattern: re.Pattern


def _fold(name):
    return " ".join(name.lower().translate(_FOLD).split())


def _is_latin(name):
    """Tell whether `name` is written in the Latin script (words have spaces)."""
    return all(
        not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in name
    )


def _trie(names):
    """Return a regular expression matching any of `names`, longest first."""
    root = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node):
        branches = [
            re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or "(?!)"


def _entries(code, spec):
    """Yield (Place, its names) for country `code` of the gazetteer."""
    if not isinstance(spec, dict) or not spec.get("name"):
        raise GazetteerError(f"{code}: a country needs a name")
    country = Place(code, COUNTRY, str(spec["name"]))
    own = [country.name, *(spec.get("names") or []), *(spec.get("demonyms") or [])]
    yield country, own
    for key, kind in (("regions", REGION), ("cities", CITY), ("people", PERSON)):
        for name, others in (spec.get(key) or {}).items():
            yield Place(code, kind, str(name)), [str(name), *(others or [])]


def parse(text):
    """Return the Gazetteer described by YAML `text` (see data/places.yaml)."""
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    places, country_names = {}, {}
    for code, spec in (doc.get("countries") or {}).items():
        code = str(code).upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise GazetteerError(f"{code!r} is not an ISO 3166-1 alpha-2 code")
        for place, names in _entries(code, spec):
            country_names.setdefault(code, place.name)
            for name in names:
                key = _fold(str(name))
                if not key:
                    raise GazetteerError(f"{place}: an empty name")
                if places.get(key, place) != place:
                    raise GazetteerError(
                        f"{name!r} names both {places[key]} and {place}"
                    )
                places[key] = place
    for name in doc.get("ignore") or []:
        key = _fold(str(name))
        if places.get(key) is not None:
            raise GazetteerError(f"{name!r} is both ignored and {places[key]}")
        places[key] = None
    latin = [key for key in places if _is_latin(key)]
    other = [key for key in places if not _is_latin(key)]
    # The lookahead on the other scripts' first letters keeps the regex engine
    # from trying that trie at every position (five times faster on English).
    firsts = re.escape("".join(sorted({key[0] for key in other})))
    pattern = re.compile(
        rf"(?<!\w)(?P<latin>{_trie(latin)})(?!\w)"
        + (rf"|(?=[{firsts}]){_trie(other)}" if other else "")
    )
    return Gazetteer(str(doc.get("as_of", "")), country_names, places, pattern)


@cache
def gazetteer():
    """Return the bundled gazetteer, read once per process."""
    return parse(GAZETTEER.read_text(encoding="utf-8"))


def country_name(code):
    """Return the display name of country `code` (the code when unknown)."""
    return gazetteer().country_names.get(code, code)


def _texts(text):
    """Return `text` capped and NFKC-normalized, and its folded lower case."""
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_CHARS])
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer ("İ")
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return text, lowered.translate(_FOLD)


def find(*texts):
    """Return Counter(Place -> mentions) of the places and people in `texts`."""
    table = gazetteer()
    found = Counter()
    for text in texts:
        original, folded = _texts(text)
        search, at = table.pattern.search, 0
        while match := search(folded, at):
            if match.lastgroup == "latin" and not original[match.start()].isupper():
                # "fine china" is no China; "the republic of Singapore" is
                # Singapore: read on from the next word, not after the match.
                at = match.start() + 1
                continue
            place = table.places.get(match.group(0))
            if place is not None:
                found[place] += 1
            at = match.end()
    return found


def by_country(found):
    """Return Counter(country code -> mentions) of Counter(Place -> mentions):
    a region, a city or a person counts for their country."""
    totals = Counter()
    for place, mentions in found.items():
        totals[place.country] += mentions
    return totals


def countries(*texts):
    """Return Counter(country code -> mentions) over `texts`."""
    return by_country(find(*texts))
