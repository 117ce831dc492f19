# Seed the site (django.contrib.sites) and the editable Privacy Policy and Terms
# of Service pages (django.contrib.flatpages) with default content. Editors
# change them in the admin; this only creates what is missing.

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations

PRIVACY = """<p>We keep as little about you as we can.</p>
<h2>What we keep</h2>
<ul>
<li>If you subscribe to the newsletter: your email address, the regions and
frequency you chose, and a record of your consent (the wording you agreed to,
when, and from which address).</li>
<li>Our server logs the requests it receives for a short time, to keep the site
running and safe.</li>
</ul>
<h2>What we don't do</h2>
<p>We run no advertising or tracking scripts, and we do not sell or share your
address. Share buttons are plain links: nothing is sent to a social network
unless you click one.</p>
<h2>Your choices</h2>
<p>Every newsletter has an unsubscribe link; unsubscribing stops all mail at once.
Write to us to see or delete what we keep about you.</p>"""

TERMS = """<p>This site gathers stories published by the member newspapers of the
network. Each story belongs to its newspaper and links to the original.</p>
<h2>Using the site</h2>
<p>You may read, share and link to the stories. Republishing a story needs the
permission of the newspaper that published it.</p>
<h2>The newsletter</h2>
<p>The newsletter is free. You can unsubscribe at any time with the link in every
issue.</p>
<h2>No warranty</h2>
<p>We take care to show each story as its newspaper published it, but we cannot
guarantee that the site is always available or free of errors.</p>"""

PAGES = [
    ("/privacy/", "Privacy Policy", PRIVACY),
    ("/terms/", "Terms of Service", TERMS),
]


def site_domain():
    url = getattr(settings, "BRIEFINGS_SITE_URL", "") or "http://127.0.0.1:8000"
    return urlsplit(url).netloc or "127.0.0.1:8000"


def seed(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    site, _ = Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain(), "name": "Briefings"}
    )
    if site.domain == "example.com":
        site.domain = site_domain()
        site.save()
    for url, title, content in PAGES:
        page, created = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": content}
        )
        page.sites.add(site)


class Migration(migrations.Migration):

    dependencies = [
        ("flatpages", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
