"""Load a network file into the database, idempotently."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from briefings.network.models import Country, Feed, Publication, Region


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, created, changed):
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def _upsert(model, lookup, values, on_create=None):
    """Create or update one row; return (obj, created, changed)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return (
            model.objects.create(**lookup, **values, **(on_create or {})),
            True,
            False,
        )
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


@transaction.atomic
def sync_network(network, with_feeds=True):
    """Make the database's regions, countries, papers and feeds match `network`.

    Papers and feeds the file no longer lists are disabled, never deleted: their
    articles stay. Feeds added by hand or by the demo are left alone.
    """
    report = SyncReport()
    regions = {}
    for position, (slug, name) in enumerate(network.regions):
        regions[slug], *flags = _upsert(
            Region, {"slug": slug}, {"name": name, "position": position}
        )
        report.count(*flags)
    countries = {}
    for code, name in network.countries.items():
        countries[code], *flags = _upsert(Country, {"code": code}, {"name": name})
        report.count(*flags)
    listed_feeds = set()
    for position, spec in enumerate(network.publications):
        publication, *flags = _upsert(
            Publication,
            {"slug": spec.slug},
            {
                "name": spec.name,
                "country": countries[spec.country],
                "region": regions[spec.region],
                "homepage": spec.homepage,
                "hosts": list(spec.hosts),
                "language": spec.language,
                "timezone": spec.timezone,
                "description": spec.description,
                "description_source": spec.description_source[:200],
                "confidence": spec.confidence,
                "notes": spec.notes,
                "logo": spec.logo,
                "position": position,
                "enabled": True,
            },
        )
        report.count(*flags)
        if not with_feeds:
            continue
        for feed in spec.feeds:
            listed_feeds.add(feed.url)
            _, *flags = _upsert(
                Feed,
                {"url": feed.url},
                {
                    "publication": publication,
                    "origin": Feed.Origin.NETWORK,
                    "evidence": feed.status,
                },
                on_create={"poll_interval": settings.BRIEFINGS_POLL_INTERVAL},
            )
            report.count(*flags)
    slugs = [p.slug for p in network.publications]
    Publication.objects.exclude(slug__in=slugs).update(enabled=False)
    if with_feeds:
        Feed.objects.filter(origin=Feed.Origin.NETWORK).exclude(
            url__in=listed_feeds
        ).update(enabled=False)
    return report
