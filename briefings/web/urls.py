from django.contrib.flatpages.views import flatpage
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from briefings.web import feeds, health, views
from briefings.web.caching import cached_page
from briefings.web.robots import robots_txt
from briefings.web.sitemaps import NEWS_SITEMAPS, SITEMAPS

SITEMAP_PARAMS = ("p",)  # the page of a long sitemap, all Django's view reads

urlpatterns = [
    path("", views.home, name="home"),
    path("papers/", views.papers, name="papers"),
    path("regions/", views.regions_index, name="regions"),
    # The bare prefixes of the papers', regions' and countries' pages lead to
    # their directories instead of a 404.
    path("publication/", RedirectView.as_view(pattern_name="papers")),
    path("region/", RedirectView.as_view(pattern_name="regions")),
    path("country/", RedirectView.as_view(pattern_name="regions")),
    path("region/<slug:slug>/", views.region, name="region"),
    path("country/<str:code>/", views.country, name="country"),
    path("publication/<slug:slug>/", views.publication, name="publication"),
    path("search/", views.search, name="search"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("articles/<int:pk>/<slug:slug>/", views.article, name="article-slug"),
    path("feed/", cached_page(feeds.LatestStories()), name="feed"),
    path(
        "region/<slug:slug>/feed/",
        cached_page(feeds.RegionStories()),
        name="region-feed",
    ),
    path(
        "publication/<slug:slug>/feed/",
        cached_page(feeds.PublicationStories()),
        name="publication-feed",
    ),
    path(
        "sitemap.xml",
        cached_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        cached_page(sitemap_views.sitemap, params=SITEMAP_PARAMS),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "news-sitemap.xml",
        cached_page(sitemap_views.sitemap, params=SITEMAP_PARAMS),
        {"sitemaps": NEWS_SITEMAPS, "template_name": "web/news_sitemap.xml"},
        name="news-sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("web/favicon.svg"), permanent=True),
    ),
    path("privacy/", cached_page(flatpage), {"url": "/privacy/"}, name="privacy"),
    path("terms/", cached_page(flatpage), {"url": "/terms/"}, name="terms"),
]
