import dataclasses

from briefings.network.models import Country, Feed, Publication, Region
from briefings.network.networkfile import load_network
from briefings.network.sync import sync_network


def test_sync_loads_the_network(network):
    assert Region.objects.count() == 3
    assert Publication.objects.count() == 22
    assert Country.objects.count() == 19
    herald = Publication.objects.get(slug="the-korea-herald")
    assert herald.region.slug == "northeast-asia"
    assert herald.country.code == "KR"
    assert herald.timezone == "Asia/Seoul"
    assert herald.feeds.filter(origin=Feed.Origin.NETWORK).exists()


def test_sync_is_idempotent(network):
    counts = (Publication.objects.count(), Feed.objects.count(), Region.objects.count())
    report = sync_network(load_network())
    assert report.created == 0
    assert report.updated == 0
    assert counts == (
        Publication.objects.count(),
        Feed.objects.count(),
        Region.objects.count(),
    )


def test_paper_dropped_from_the_file_is_disabled_not_deleted(network):
    fewer = dataclasses.replace(network, publications=network.publications[1:])
    sync_network(fewer)
    dropped = Publication.objects.get(slug=network.publications[0].slug)
    assert dropped.enabled is False
    assert Publication.objects.enabled().count() == 21


def test_changed_description_is_updated(network):
    first = network.publications[0]
    changed = dataclasses.replace(first, description="A new description.")
    report = sync_network(
        dataclasses.replace(network, publications=(changed, *network.publications[1:]))
    )
    assert report.updated == 1
    assert Publication.objects.get(slug=first.slug).description == "A new description."


def test_sync_stores_each_papers_hosts(network):
    herald = Publication.objects.get(slug="the-korea-herald")
    spec = next(p for p in network.publications if p.slug == "the-korea-herald")
    assert herald.hosts == list(spec.hosts) and herald.hosts
    assert herald.owns("https://www.koreaherald.com/article/10001")
    assert not herald.owns("https://www.dawn.com/news/1")
