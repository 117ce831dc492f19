"""Map the corpus' country and region names to ISO codes and network region slugs."""

from __future__ import annotations

import re

# ISO 3166-1 alpha-2 codes for the country names that occur in the demo corpus.
# Names without a single country (e.g. "Kashmir") are left out on purpose: such
# items fall back to a paper of their region.
COUNTRY_CODES: dict[str, str] = {
    "Afghanistan": "AF",
    "Bangladesh": "BD",
    "Bhutan": "BT",
    "Brunei": "BN",
    "Cambodia": "KH",
    "China": "CN",
    "East Timor": "TL",
    "Timor-Leste": "TL",
    "Hong Kong": "HK",
    "India": "IN",
    "Indonesia": "ID",
    "Japan": "JP",
    "Korea": "KR",
    "South Korea": "KR",
    "North Korea": "KP",
    "Laos": "LA",
    "Macau": "MO",
    "Malaysia": "MY",
    "Maldives": "MV",
    "Mongolia": "MN",
    "Myanmar": "MM",
    "Burma": "MM",
    "Nepal": "NP",
    "Pakistan": "PK",
    "Philippines": "PH",
    "Singapore": "SG",
    "Sri Lanka": "LK",
    "Taiwan": "TW",
    "Thailand": "TH",
    "Vietnam": "VN",
    "Viet Nam": "VN",
}


def country_code(name: str) -> str | None:
    """Return the ISO alpha-2 code for a corpus country name, or None if unknown."""
    name = name.strip()
    if len(name) == 2 and name.isalpha() and name.isupper():
        return name
    return COUNTRY_CODES.get(name)


def region_slug(name: str) -> str:
    """Return the network region slug for a corpus region name ("South Asia")."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
