"""robots.txt: crawl the stories, not the search results or the admin."""

from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    base = f"{request.scheme}://{get_current_site(request).domain}"
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('search')}",
        "Disallow: /admin/",
        "",
        f"Sitemap: {base}{reverse('sitemap-index')}",
        f"Sitemap: {base}{reverse('news-sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
