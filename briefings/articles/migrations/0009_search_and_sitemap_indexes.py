# Indexes for the slow paths at 100,000 articles (issue #16): search's join
# reads an article's date, status and paper from an index; the sitemap index's
# date walks the newest update. On PostgreSQL, the search vector becomes a
# stored column (search.install), so ranking reads it instead of parsing the
# bodies again for every match.

from django.db import migrations, models


def store_search_vector(apps, schema_editor):
    from briefings.articles import search

    if schema_editor.connection.vendor == "postgresql":
        search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_editor_corrections_and_hiding"),
        ("network", "0006_feed_lease"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["id", "published_at", "status", "publication"],
                name="article_search_keys",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["-updated_at", "published_at", "status"],
                name="article_updated_cover",
            ),
        ),
        migrations.RunPython(
            store_search_vector, migrations.RunPython.noop, elidable=False
        ),
    ]
