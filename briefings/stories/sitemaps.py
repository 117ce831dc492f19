"""Sitemap of the stories covered by at least two articles (for the site's
sitemap index: `{"stories": StorySitemap}`)."""

from briefings.articles.sitemap_pages import IdRangeSitemap
from briefings.stories.models import Story


class StorySitemap(IdRangeSitemap):
    """Its pages are runs of story ids (articles/sitemap_pages.py)."""

    changefreq = "hourly"
    priority = 0.6
    limit = 2_000  # URLs per sitemap page, as for the articles: each is a reverse()

    def items(self):
        return Story.objects.filter(article_count__gte=2).order_by("-id")

    def lastmod(self, story):
        return story.last_published_at

    def get_latest_lastmod(self):
        """The sitemap index's date for this section: the newest story's, read
        down the index story_sitemap (not Django's default of building every
        story, nor an aggregate over every story)."""
        return (
            self.items()
            .order_by("-last_published_at")
            .values_list("last_published_at", flat=True)
            .first()
        )
