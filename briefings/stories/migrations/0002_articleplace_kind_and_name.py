"""ArticlePlace rows name what was found: a country, a city or a person, under
its display name, with its country (issue #5).

The rows stored before held one total per country; they become that country's
row (kind "country", its display name), so country totals and "More from
<country>" lists stay right. Their cities and people appear once the articles
are read again (`briefings stories rebuild`)."""

from django.db import migrations, models

# The display names of data/places.yaml when this migration was written.
COUNTRY_NAMES = {
    "BD": "Bangladesh",
    "BN": "Brunei",
    "BT": "Bhutan",
    "CN": "China",
    "HK": "Hong Kong",
    "ID": "Indonesia",
    "IN": "India",
    "JP": "Japan",
    "KH": "Cambodia",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "LK": "Sri Lanka",
    "MM": "Myanmar",
    "MN": "Mongolia",
    "MV": "Maldives",
    "MY": "Malaysia",
    "NP": "Nepal",
    "PH": "Philippines",
    "PK": "Pakistan",
    "SG": "Singapore",
    "TH": "Thailand",
    "TW": "Taiwan",
    "VN": "Vietnam",
}


def name_country_rows(apps, schema_editor):
    ArticlePlace = apps.get_model("stories", "ArticlePlace")
    for code in ArticlePlace.objects.values_list("country", flat=True).distinct():
        ArticlePlace.objects.filter(country=code).update(
            name=COUNTRY_NAMES.get(code, code)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search"),
        ("stories", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="articleplace",
            name="articleplace_unique",
        ),
        migrations.AddField(
            model_name="articleplace",
            name="kind",
            field=models.CharField(
                choices=[("country", "Country"), ("city", "City"), ("person", "Person")],
                default="country",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="articleplace",
            name="name",
            field=models.CharField(
                default="", help_text="display name (places.yaml)", max_length=100
            ),
            preserve_default=False,
        ),
        migrations.RunPython(name_country_rows, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="articleplace",
            constraint=models.UniqueConstraint(
                fields=("article", "country", "kind", "name"),
                name="articleplace_unique_name",
            ),
        ),
    ]
