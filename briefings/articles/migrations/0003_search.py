# Full-text search index: SQLite FTS5 (external content + triggers) or a GIN
# index on a weighted tsvector on PostgreSQL (see briefings/articles/search.py).

from django.db import migrations


def install(apps, schema_editor):
    from briefings.articles import search

    search.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from briefings.articles import search

    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_revisions_and_syndication"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
