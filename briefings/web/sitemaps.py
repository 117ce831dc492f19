"""Sitemaps out: the site's pages, every article, and a Google News sitemap.

Their URLs use the domain of the Site in the admin (django.contrib.sites), not
the request's Host header, so a cached sitemap never carries a spoofed host.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from briefings.articles.models import Article
from briefings.articles.sitemap_pages import IdRangeSitemap
from briefings.network.models import Publication, Region
from briefings.stories.sitemaps import StorySitemap

# Google News takes articles of the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000


class PageSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        pages = [reverse("home")]
        pages += [r.get_absolute_url() for r in Region.objects.all()]
        pages += [
            reverse("country", args=[code.lower()])
            for code in Publication.objects.enabled()
            .values_list("country__code", flat=True)
            .distinct()
        ]
        pages += [p.get_absolute_url() for p in Publication.objects.enabled()]
        return pages

    def location(self, item):
        return item


class ArticleSitemap(IdRangeSitemap):
    """Every published article; its pages are runs of ids (sitemap_pages.py):
    the index need not count 100,000 articles, nor a page skip the others."""

    changefreq = "daily"
    limit = 2_000  # URLs per sitemap page: each costs a reverse() and a slugify

    def items(self):
        return (
            Article.objects.published()
            .only("id", "headline", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        """The sitemap index's date for this section. Django's default builds
        every item to take the latest (1.8 s for the index at 100,000
        articles); an aggregate read every row's date (90 ms); the newest
        update, walked down the index article_updated_cover to the first
        published one, is the same date at once."""
        return (
            Article.objects.published()
            .order_by("-updated_at")
            .values_list("updated_at", flat=True)
            .first()
        )


class NewsSitemap(ArticleSitemap):
    limit = NEWS_LIMIT
    paginator = Sitemap.paginator  # two days' articles: Django's pages, by date

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .select_related("publication")
            .order_by("-published_at", "-id")
        )


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "stories": StorySitemap}
NEWS_SITEMAPS = {"news": NewsSitemap}
