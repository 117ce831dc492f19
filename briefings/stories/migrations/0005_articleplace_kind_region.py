"""ArticlePlace rows may name a region (a province, state or island of
data/places.yaml), counted for its country like a city (issue #5). Only the
field's choices change; stored articles get their regions once read again
(`briefings stories rebuild`)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stories', '0004_articlesignature_countries'),
    ]

    operations = [
        migrations.AlterField(
            model_name='articleplace',
            name='kind',
            field=models.CharField(choices=[('country', 'Country'), ('region', 'Region'), ('city', 'City'), ('person', 'Person')], default='country', max_length=8),
        ),
    ]
