"""Sitemap of the stories covered by at least two articles (for the site's
sitemap index: `{"stories": StorySitemap}`)."""

from django.contrib.sitemaps import Sitemap

from briefings.stories.models import Story


class StorySitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6
    limit = 5000

    def items(self):
        return Story.objects.filter(article_count__gte=2).order_by("-id")

    def lastmod(self, story):
        return story.last_published_at
