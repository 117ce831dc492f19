"""The site's own pages (privacy, terms) as editors change them in the admin.

Their HTML is shown to every reader as it is stored, so it goes through the
same allowlist as the member papers' stories: an editor's stolen account, or a
page pasted from elsewhere, must not bring a script, an event handler or a meta
refresh to the site.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage

from briefings.articles.sanitize import browser_host, sanitize_html


class SanitizedFlatpageForm(FlatpageForm):
    def clean_content(self):
        """Return the content cut down to the allowlist. Links become absolute on
        the site's public URL; images on the site's own host stay even when it
        is a private one (a site on an intranet)."""
        page_url = settings.BRIEFINGS_SITE_URL + self.cleaned_data.get("url", "/")
        own_host = browser_host(settings.BRIEFINGS_SITE_URL)
        return sanitize_html(
            self.cleaned_data["content"], page_url, frozenset({own_host}) - {""}
        )


admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class SanitizedFlatPageAdmin(FlatPageAdmin):
    form = SanitizedFlatpageForm
