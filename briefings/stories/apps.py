from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "briefings.stories"

    def ready(self):
        from briefings.articles.models import Article
        from briefings.articles.signals import article_stored

        article_stored.connect(
            _assign_stored_article, sender=Article, dispatch_uid="stories-assign"
        )


def _assign_stored_article(sender, article, **kwargs):
    """Group each article the ingest stores into its story as it arrives."""
    from briefings.stories.assign import assign_article

    assign_article(article)
