"""The reader's pages: rivers of story cards and the article page."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from briefings.articles.models import Article
from briefings.articles.search import search as run_search
from briefings.network.models import Country, Publication, Region
from briefings.stories.related import (
    ALSO_COVERED,
    also_covered_by,
    follow_the_story,
    main_member_country,
    more_from_country,
    places_of,
    related_stories,
)
from briefings.web import directory, rivers
from briefings.web.caching import cached_page, csrf_placeholder
from briefings.web.context import publication as paper
from briefings.web.context import regions, remembered
from briefings.web.forms import SearchForm
from briefings.web.pagination import page_after
from briefings.web.share import share_links
from briefings.web.structured import json_ld, news_article

MORE_STORIES = 6
RELATED_STORIES = 4
FOLLOW_THE_STORY = 4
MORE_FROM_COUNTRY = 5
ABOUT_COUNTRY = 12
SEARCH_PAGE_SIZE = 20
RIVER_PARAMS = ("before",)  # what _river reads; the page cache keys on it alone


def _river(request, queryset, template="web/river.html", **context):
    cursor = request.GET.get("before", "")
    articles, next_cursor = page_after(queryset, cursor)
    if cursor and not articles:
        # Past the end (or an old cursor beyond it): no such page, not "no
        # stories yet".
        raise Http404("no such page")
    context.update(articles=articles, next_cursor=next_cursor, is_first_page=not cursor)
    return _render(request, template, context)


def _render(request, template, context, status=200):
    context.update(csrf_placeholder(request))
    return render(request, template, context, status=status)


@cached_page(params=RIVER_PARAMS)
def home(request):
    if request.GET.get("before"):
        return _river(
            request, rivers.everything(), heading=_("Latest stories"), is_home=True
        )
    # The front: the lead story, each region's section, then the river (the
    # stories above left out of it). The ids are the same for every reader
    # until an article changes: remembered per process and generation.
    pins, lead, sections = remembered("front", front_cards)
    shown = {a.pk for _, found in sections for a in found} | {getattr(lead, "pk", 0)}
    shown |= {a.pk for a in pins}
    articles, next_cursor = page_after(rivers.everything(), "")
    context = {
        "heading": _("Top stories"),
        "is_home": True,
        "pinned": pins,
        "lead": lead,
        "sections": sections,
        "articles": [a for a in articles if a.pk not in shown],
        "next_cursor": next_cursor,
        "is_first_page": True,
    }
    return _render(request, "web/river.html", context)


def front_cards():
    """The front's pinned cards, its lead card and [(region, its cards)], read
    in one query; the same for every reader until an article, a story or a pin
    changes (remembered by home)."""
    front = rivers.front_page(regions())
    section_ids = [pk for _, ids in front["sections"] for pk in ids]
    cards = rivers.cards([*front["pinned"], front["lead"], *section_ids])
    sections = [
        (region, [cards[pk] for pk in ids if pk in cards])
        for region, ids in front["sections"]
    ]
    pins = [cards[pk] for pk in front["pinned"] if pk in cards]
    for pk in front["pins"]:
        if pk in cards:
            cards[pk].is_pinned = True
    return (
        pins,
        cards.get(front["lead"]),
        [(r, found) for r, found in sections if found],
    )


@cached_page(params=RIVER_PARAMS)
def region(request, slug):
    region = get_object_or_404(Region, slug=slug)
    return _river(
        request,
        rivers.in_region(region),
        heading=region.name,
        region=region,
        countries=directory.countries_of(region),
        feed_url=reverse("region-feed", args=[region.slug]),
    )


@cached_page(params=RIVER_PARAMS)
def country(request, code):
    country = get_object_or_404(Country, code=code.upper()[:2])
    if code != country.code.lower():
        return redirect("country", country.code.lower())
    # Stories *about* the country (its main places, stories app) come first,
    # then the river of its own papers' stories, which pages on.
    about = []
    if not request.GET.get("before"):
        ids = remembered(
            f"about:{country.code}",
            lambda: more_from_country(country.code, limit=ABOUT_COUNTRY),
        )
        found = rivers.cards(ids)
        about = [found[pk] for pk in ids if pk in found]
    return _river(
        request,
        rivers.in_country(country),
        heading=country.name,
        country=country,
        about_country=about,
        river_title=_("From %(country)s's papers") % {"country": country.name},
    )


@cached_page
def papers(request):
    """The member papers by region, with country, language and latest story."""
    return _render(
        request, "web/papers.html", {"regions_papers": directory.papers_by_region()}
    )


@cached_page
def regions_index(request):
    """The regions, each with its countries and papers."""
    listed = [
        (region, directory.countries_of(region), directory.papers_of(region))
        for region in regions()
    ]
    return _render(request, "web/regions.html", {"listed": listed})


@cached_page(params=RIVER_PARAMS)
def publication(request, slug):
    publication = get_object_or_404(Publication.objects.enabled(), slug=slug)
    publication = paper(publication.pk)  # with its region and country, memoized
    return _river(
        request,
        rivers.from_publication(publication),
        heading=publication.name,
        publication=publication,
        feed_url=reverse("publication-feed", args=[publication.slug]),
    )


@cached_page
def article(request, pk, slug=""):
    article = get_object_or_404(
        Article.objects.published().select_related("story_membership__story"),
        pk=pk,
    )
    article.publication = paper(article.publication_id)  # from the memo
    expected = slugify(article.headline)[:80] or "story"
    address = reverse("article-slug", args=[article.pk, expected])
    if request.path != address:
        # One address per article: "/articles/007/…" would be another cache entry.
        return redirect(address, permanent=True)
    # Also covered by: the same event told by the other papers (stories app).
    # Related: neighbouring stories of the same period, topped up with recent
    # stories of the same region. More stories: the newest across the network.
    # More from <country>: the newest about the country it mentions most. Each
    # list's ids come first; their cards are read together in one query.
    membership = getattr(article, "story_membership", None)
    story = membership.story if membership else None
    also_ids, related_ids, thread_ids = [], [], []
    if story is not None:  # an article not grouped yet has no neighbours either
        also_ids = also_covered_by(article, story)
        # Follow the story: the same thread's other occurrences (the looser
        # tier), listed apart from the coverage and never counted in it.
        thread_ids = follow_the_story(article, FOLLOW_THE_STORY)
        firsts = [
            s.leading_article_id
            for s in related_stories(article, RELATED_STORIES, story)
            if s.leading_article_id and s.leading_article_id != article.pk
        ]
        shown = set(
            Article.objects.published()
            .filter(pk__in=firsts)
            .values_list("id", flat=True)
        )
        related_ids = [pk for pk in firsts if pk in shown and pk not in thread_ids]
    # The region's newest, the newest elsewhere and the country's newest are
    # the same for every article page of that region or country: remembered
    # per process until an article changes, then cut for this page.
    region = article.publication.region
    if len(related_ids) < RELATED_STORIES:
        seen = {article.pk, *related_ids, *also_ids, *thread_ids}
        newest = rivers.newest_ids(
            f"region:{region.pk}",
            lambda: rivers.in_region(region),
            # enough to fill the list whatever `seen` holds (at most 1 + 8 + 4)
            1 + ALSO_COVERED + 2 * RELATED_STORIES,
        )
        related_ids += [pk for pk in newest if pk not in seen][
            : RELATED_STORIES - len(related_ids)
        ]
    more_ids = rivers.newest_ids(
        f"outside:{region.pk}", lambda: rivers.outside_region(region), MORE_STORIES
    )
    places = places_of(article)
    country = main_member_country(places)
    country_ids = []
    if country is not None:
        newest = remembered(
            f"country:{country.code}",
            lambda: more_from_country(country.code, limit=MORE_FROM_COUNTRY + 1),
        )
        country_ids = [pk for pk in newest if pk != article.pk][:MORE_FROM_COUNTRY]
    cards = rivers.cards(
        [*also_ids, *thread_ids, *related_ids, *more_ids, *country_ids]
    )
    page_url = request.build_absolute_uri(article.get_absolute_url())
    context = {
        "article": article,
        "page_url": page_url,
        "share_links": share_links(page_url, article.headline),
        "json_ld": json_ld(news_article(article, page_url)),
        "story": story,
        "also_covered_by": [cards[pk] for pk in also_ids if pk in cards],
        "follow_the_story": [cards[pk] for pk in thread_ids if pk in cards],
        "related_stories": [cards[pk] for pk in related_ids if pk in cards],
        "more_stories": [cards[pk] for pk in more_ids if pk in cards],
        "places": places,
        "more_from_country": country,
        "more_from_country_stories": [cards[pk] for pk in country_ids if pk in cards],
    }
    return _render(request, "web/article.html", context)


@cached_page(params=tuple(SearchForm.base_fields))
def search(request):
    form = SearchForm(request.GET or None)
    context = {"form": form, "results": None, "page": 1}
    if form.is_bound and not form.is_valid():
        return _render(request, "web/search.html", context, status=400)
    if not form.is_bound or not form.query().terms:
        return _render(request, "web/search.html", context)
    page = form.cleaned_data["page"] or 1
    offset = (page - 1) * SEARCH_PAGE_SIZE
    results = run_search(form.query(), offset=offset, limit=SEARCH_PAGE_SIZE)
    if page > 1 and not results.hits:
        raise Http404("no such page")
    params = request.GET.copy()
    params.pop("page", None)
    context.update(results=results, page=page, params=params.urlencode())
    return _render(request, "web/search.html", context)
