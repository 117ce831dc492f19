# Put the HTML stored before issue #11 through today's allowlist: flat pages
# editors wrote in the admin unsanitized (a meta refresh in the privacy page sent
# readers elsewhere), article bodies edited there, and images (in bodies and as
# lead images) on private addresses, which readers' browsers would request.
# Only rows that change are written (with update(), so no signal: pages cached
# before expire within BRIEFINGS_PAGE_CACHE_SECONDS; a migration does not reach
# for the cache, which may be a Redis that is not up yet).

from django.conf import settings
from django.db import migrations

from briefings.articles.sanitize import (
    browser_host,
    is_public_url,
    paper_private_hosts,
    sanitize_html,
)


def sanitize_pages(FlatPage):
    own_hosts = frozenset({browser_host(settings.BRIEFINGS_SITE_URL)}) - {""}
    for page in FlatPage.objects.all():
        url = settings.BRIEFINGS_SITE_URL + page.url
        content = sanitize_html(page.content, url, own_hosts)
        if content != page.content:
            FlatPage.objects.filter(pk=page.pk).update(content=content)


def sanitize_articles(Article):
    articles = Article.objects.select_related("feed").only(
        "canonical_url",
        "body_html",
        "image",
        "feed__url",
        "feed__allow_private_network",
    )
    for article in articles.iterator(chunk_size=500):
        hosts = paper_private_hosts(article.feed, article.canonical_url)
        body = sanitize_html(article.body_html, article.canonical_url, hosts)
        image = article.image if is_public_url(article.image, hosts) else ""
        if (body, image) != (article.body_html, article.image):
            Article.objects.filter(pk=article.pk).update(body_html=body, image=image)


def sanitize_stored_html(apps, schema_editor):
    sanitize_pages(apps.get_model("flatpages", "FlatPage"))
    sanitize_articles(apps.get_model("articles", "Article"))


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0001_default_pages"),
        ("articles", "0004_published_cover_index"),
        ("network", "0003_publication_extraction_rules"),
    ]

    operations = [migrations.RunPython(sanitize_stored_html, migrations.RunPython.noop)]
