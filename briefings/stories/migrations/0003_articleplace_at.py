"""ArticlePlace rows carry their article's publication time, and an index
(country, at, article), so that "More from <country>" reads a country's newest
articles from the index and stops after a few (issue #5)."""

from django.db import migrations, models

FILL = {
    "sqlite": (
        "UPDATE stories_articleplace SET at = (SELECT CAST(strftime('%s', "
        "a.published_at) AS integer) FROM articles_article a WHERE a.id = article_id)"
    ),
    "postgresql": (
        "UPDATE stories_articleplace p SET at = "
        "CAST(EXTRACT(EPOCH FROM a.published_at) AS bigint) "
        "FROM articles_article a WHERE a.id = p.article_id"
    ),
}


def fill_at(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor in FILL:
        with connection.cursor() as cursor:
            cursor.execute(FILL[connection.vendor])
        return
    ArticlePlace = apps.get_model("stories", "ArticlePlace")
    for place in ArticlePlace.objects.select_related("article").iterator():
        place.at = int(place.article.published_at.timestamp())
        place.save(update_fields=["at"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search"),
        ("stories", "0002_articleplace_kind_and_name"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="articleplace",
            name="stories_art_country_d60e94_idx",
        ),
        migrations.AddField(
            model_name="articleplace",
            name="at",
            field=models.BigIntegerField(
                default=0, help_text="the article's publication, epoch seconds"
            ),
        ),
        migrations.RunPython(fill_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="articleplace",
            index=models.Index(
                fields=["country", "at", "article"], name="articleplace_country_at"
            ),
        ),
    ]
