# Indexes for the slow paths at 100,000 articles (issue #16): the sitemap
# index reads the newest story from `story_sitemap`; the postings are read by
# term and window from a covering index (it replaces storyterm_term_at).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0009_search_and_sitemap_indexes'),
        ('stories', '0008_editorial_lock_lead_and_pins'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='storyterm',
            name='storyterm_term_at',
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(fields=['-last_published_at', 'article_count'], name='story_sitemap'),
        ),
        migrations.AddIndex(
            model_name='storyterm',
            index=models.Index(fields=['term', 'at', 'article', 'weight'], name='storyterm_term_at_cover'),
        ),
    ]
