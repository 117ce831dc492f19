"""Read and check a network file: the regions, countries and member papers."""

import functools
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from django.conf import settings

from briefings.network.hosts import HostError, overlaps, owns, parse_host


class NetworkFileError(ValueError):
    """The network file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class FeedSpec:
    url: str
    status: str = ""


@dataclass(frozen=True)
class PublicationSpec:
    slug: str
    name: str
    country: str
    region: str
    homepage: str
    language: str = "en"
    timezone: str = "UTC"
    description: str = ""
    description_source: str = ""
    confidence: str = "high"
    notes: str = ""
    logo: str = ""
    feeds: tuple[FeedSpec, ...] = ()
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SocialLink:
    name: str
    url: str


@dataclass(frozen=True)
class Network:
    name: str
    site_name: str
    newsletter_name: str
    newsletter_tagline: str
    social: tuple[SocialLink, ...]
    regions: tuple[tuple[str, str], ...]
    countries: dict[str, str] = field(default_factory=dict)
    publications: tuple[PublicationSpec, ...] = ()


def _require(mapping, key, where):
    value = mapping.get(key)
    if value in (None, ""):
        raise NetworkFileError(f"{where}: '{key}' is required")
    return value


def _hosts(row, homepage, where):
    """The paper's own hosts; without a `hosts:` list, its homepage's host."""
    hosts = row.get("hosts")
    if hosts is None:
        hosts = [urlsplit(homepage).netloc.lower()]
    if not isinstance(hosts, list) or not hosts:
        raise NetworkFileError(f"{where}: 'hosts' must be a list of hosts")
    for entry in hosts:
        try:
            parse_host(entry)
        except HostError as exc:
            raise NetworkFileError(f"{where}: hosts: {exc}") from None
    if not owns(hosts, homepage):
        raise NetworkFileError(f"{where}: the homepage is not on its hosts")
    return tuple(str(entry).strip() for entry in hosts)


def _check_hosts_apart(publications):
    """Two papers owning one site could store each other's articles: refused."""
    for a, b in itertools.combinations(publications, 2):
        for host_a, host_b in itertools.product(a.hosts, b.hosts):
            if overlaps(parse_host(host_a), parse_host(host_b)):
                raise NetworkFileError(
                    f"hosts {host_a!r} ({a.slug}) and {host_b!r} ({b.slug}) "
                    "overlap: two papers cannot both own a site"
                )


def _publication(row, regions, countries):
    where = f"publication {row.get('slug', '?')}"
    spec = PublicationSpec(
        slug=_require(row, "slug", where),
        name=_require(row, "name", where),
        country=str(_require(row, "country", where)).upper(),
        region=_require(row, "region", where),
        homepage=_require(row, "homepage", where),
        language=row.get("language", "en"),
        timezone=row.get("timezone", "UTC"),
        description=(row.get("description") or "").strip(),
        description_source=str(row.get("description_source") or ""),
        confidence=row.get("confidence", "high"),
        notes=(row.get("notes") or "").strip(),
        logo=row.get("logo", ""),
        feeds=tuple(
            FeedSpec(url=_require(f, "url", where), status=f.get("status", ""))
            for f in row.get("feeds") or ()
        ),
        hosts=_hosts(row, _require(row, "homepage", where), where),
    )
    if spec.region not in regions:
        raise NetworkFileError(f"{where}: unknown region {spec.region!r}")
    if spec.country not in countries:
        raise NetworkFileError(f"{where}: country {spec.country!r} is not in countries")
    if spec.confidence not in {"high", "medium", "low"}:
        raise NetworkFileError(f"{where}: confidence must be high, medium or low")
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise NetworkFileError(f"{where}: unknown timezone {spec.timezone!r}") from None
    return spec


def parse_network(text):
    """Return the Network described by the YAML `text`."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NetworkFileError(f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise NetworkFileError("the file must be a mapping")
    meta = doc.get("network") or {}
    newsletter = meta.get("newsletter") or {}
    regions = tuple((r["slug"], r["name"]) for r in doc.get("regions") or ())
    countries = {str(k).upper(): v for k, v in (doc.get("countries") or {}).items()}
    region_slugs = {slug for slug, _ in regions}
    publications = tuple(
        _publication(row, region_slugs, countries)
        for row in doc.get("publications") or ()
    )
    slugs = [p.slug for p in publications]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise NetworkFileError(f"duplicate publication slugs: {sorted(duplicates)}")
    _check_hosts_apart(publications)
    return Network(
        name=_require(meta, "name", "network"),
        site_name=meta.get("site_name") or meta["name"],
        newsletter_name=newsletter.get("name", "Eastern Briefings"),
        newsletter_tagline=newsletter.get("tagline", "All you need to know about Asia"),
        social=tuple(SocialLink(s["name"], s["url"]) for s in meta.get("social") or ()),
        regions=regions,
        countries=countries,
        publications=publications,
    )


@functools.cache
def _load(path, mtime):
    return parse_network(Path(path).read_text(encoding="utf-8"))


def load_network(path=None):
    """Return the configured network file's Network, re-read when the file changes."""
    path = Path(path or settings.BRIEFINGS_NETWORK_FILE)
    if not path.exists():
        raise NetworkFileError(f"network file not found: {path}")
    return _load(str(path), path.stat().st_mtime_ns)
