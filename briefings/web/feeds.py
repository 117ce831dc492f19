"""Atom feeds out: all stories, each region's, each publication's."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from briefings.network.models import Publication, Region
from briefings.network.networkfile import load_network
from briefings.web import rivers

FEED_SIZE = 50


class LatestStories(Feed):
    feed_type = Atom1Feed

    def title(self, obj=None):
        site = load_network().site_name
        return f"{obj.name} · {site}" if obj else site

    def subtitle(self, obj=None):
        network = load_network()
        return f"Stories from the member papers of the {network.name}"

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else reverse("home")

    def items(self, obj=None):
        return rivers.load(self.articles(obj), FEED_SIZE)

    def articles(self, obj):
        return rivers.everything()

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # Atom1Feed writes the summary as type="html": plain text goes in
        # escaped, or a dek holding the text "<img onerror=...>" becomes markup
        # in feed readers.
        return escape(item.dek or item.excerpt)

    def item_author_name(self, item):
        # The paper is named in every entry, with the writer when there is one.
        name = item.publication.name
        return f"{item.byline} ({name})" if item.byline else name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return item.canonical_url

    def item_guid_is_permalink(self, item):
        return False


class RegionStories(LatestStories):
    def get_object(self, request, slug):
        return get_object_or_404(Region, slug=slug)

    def articles(self, obj):
        return rivers.in_region(obj)


class PublicationStories(LatestStories):
    def get_object(self, request, slug):
        return get_object_or_404(Publication.objects.enabled(), slug=slug)

    def articles(self, obj):
        return rivers.from_publication(obj)
