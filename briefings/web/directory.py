"""The directory of the network: regions, their countries and member papers,
each paper with its latest story. Read from the process's memo of the
publications (context.py); the latest stories are remembered per generation."""

from django.utils.translation import get_language_info

from briefings.web import rivers
from briefings.web.context import publications, regions, remembered


def papers_of(region):
    """The enabled papers of `region`, in the network file's order."""
    found = [
        p for p in publications().values() if p.region_id == region.pk and p.enabled
    ]
    return sorted(found, key=lambda p: (p.position, p.name))


def countries_of(region):
    """The countries of `region`'s papers, by name."""
    countries = {p.country.pk: p.country for p in papers_of(region)}
    return sorted(countries.values(), key=lambda c: c.name)


def language_name(code):
    """The language's English name ("en" -> "English"), or its code."""
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def _latest_ids():
    """{paper id: its newest published article's id}: one index walk per paper."""
    found = {}
    for pk in publications():
        ids = rivers.first_ids(rivers.everything().filter(publication_id=pk), 1)
        if ids:
            found[pk] = ids[0]
    return found


def papers_by_region():
    """[(region, [(paper, language name, latest article or None)])]."""
    latest = remembered("latest-by-paper", _latest_ids)
    cards = rivers.cards(list(latest.values()))
    return [
        (
            region,
            [
                (paper, language_name(paper.language), cards.get(latest.get(paper.pk)))
                for paper in papers_of(region)
            ],
        )
        for region in regions()
    ]
