"""Sitemap of the stories covered by at least two articles (for the site's
sitemap index: `{"stories": StorySitemap}`)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from briefings.stories.models import Story


class StorySitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6
    limit = 2_000  # URLs per sitemap page, as for the articles: each is a reverse()

    def items(self):
        return Story.objects.filter(article_count__gte=2).order_by("-id")

    def lastmod(self, story):
        return story.last_published_at

    def get_latest_lastmod(self):
        """The sitemap index's date for this section, from one aggregate rather
        than Django's default of building every story."""
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]
