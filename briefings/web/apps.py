from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(using="default", **kwargs):
    """Put back the search index's parts that a table rebuild dropped."""
    from django.db import connections

    from briefings.articles.search import ensure_index

    ensure_index(connections[using])


class WebConfig(AppConfig):
    name = "briefings.web"

    def ready(self):
        # After the articles app migrates (signals go to apps with models).
        post_migrate.connect(
            _ensure_search_index,
            sender=self.apps.get_app_config("articles"),
            dispatch_uid="web-search-index",
        )
        self._invalidate_pages_on_change()

    def _invalidate_pages_on_change(self):
        from django.contrib.flatpages.models import FlatPage
        from django.db.models.signals import post_delete, post_save

        from briefings.articles.models import Article
        from briefings.network.models import Publication, Region
        from briefings.stories.models import Pin
        from briefings.stories.signals import stories_edited
        from briefings.web.caching import bump_generation

        # An editor's merge, split or lead changes pages though no article
        # changed; so does a pin made, removed or expired.
        stories_edited.connect(bump_generation, dispatch_uid="web-pages-stories")
        for model in (Article, Publication, Region, FlatPage, Pin):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump_generation,
                    sender=model,
                    dispatch_uid=f"web-pages-{model.__name__}-{signal is post_save}",
                )
