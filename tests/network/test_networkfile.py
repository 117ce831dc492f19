from pathlib import Path

import pytest
import yaml

from briefings.network.networkfile import NetworkFileError, load_network, parse_network

from ..conftest import SHARED, require_shared

MEMBERS = SHARED / "network" / "members.yaml"

MINIMAL = """
network: {name: Test Network}
regions: [{slug: south-asia, name: South Asia}]
countries: {NP: Nepal}
publications:
  - {slug: paper, name: Paper, country: NP, region: south-asia, homepage: "https://p.example",
     timezone: Asia/Kathmandu, feeds: [{url: "https://p.example/rss"}]}
"""


def test_bundled_network_has_22_papers_in_three_regions():
    network = load_network()
    assert len(network.publications) == 22
    assert [slug for slug, _ in network.regions] == [
        "northeast-asia",
        "southeast-asia",
        "south-asia",
    ]
    assert all(p.description for p in network.publications)
    assert all(p.confidence in {"high", "medium", "low"} for p in network.publications)
    assert network.newsletter_name == "Eastern Briefings"
    assert network.newsletter_tagline == "All you need to know about Asia"
    assert network.social[0].name == "Facebook"


def test_bundled_network_keeps_the_researched_slugs():
    members = require_shared(MEMBERS)
    researched = {row["slug"] for row in yaml.safe_load(members.read_text())}
    ours = {p.slug for p in load_network().publications}
    assert researched <= ours
    assert len(ours - researched) == 1  # the 22nd member, chosen by the project


def test_korea_herald_description_is_the_network_wording():
    herald = next(
        p for p in load_network().publications if p.slug == "the-korea-herald"
    )
    assert herald.description.startswith(
        "The Korea Herald is the nation's largest English-language daily"
    )


def test_minimal_file_parses():
    network = parse_network(MINIMAL)
    assert network.publications[0].feeds[0].url == "https://p.example/rss"
    assert network.countries == {"NP": "Nepal"}


@pytest.mark.parametrize(
    "change, message",
    [
        (("region: south-asia, homepage", "region: mars, homepage"), "unknown region"),
        (("country: NP, region", "country: XX, region"), "not in countries"),
        (("timezone: Asia/Kathmandu", "timezone: Mars/Base"), "unknown timezone"),
        (("slug: paper, ", ""), "'slug' is required"),
    ],
)
def test_inconsistent_files_are_refused(change, message):
    old, new = change
    assert old in MINIMAL
    with pytest.raises(NetworkFileError, match=message):
        parse_network(MINIMAL.replace(old, new))


def test_duplicate_slugs_are_refused():
    doubled = MINIMAL + MINIMAL.split("publications:\n")[1]
    with pytest.raises(NetworkFileError, match="duplicate"):
        parse_network(doubled)


def test_not_yaml_is_refused():
    with pytest.raises(NetworkFileError):
        parse_network("network: [unclosed")


def test_every_bundled_paper_lists_its_hosts_and_owns_its_homepage_and_feeds():
    from django.conf import settings

    from briefings.network.hosts import owns

    bundled = Path(settings.BRIEFINGS_NETWORK_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(bundled)
    assert all(row.get("hosts") for row in raw["publications"])
    for paper in load_network().publications:
        assert owns(paper.hosts, paper.homepage), paper.slug
        assert all(owns(paper.hosts, feed.url) for feed in paper.feeds), paper.slug


def test_hosts_default_to_the_homepages_host():
    assert parse_network(MINIMAL).publications[0].hosts == ("p.example",)


def test_hosts_are_read_from_the_file():
    listed = MINIMAL.replace(
        'homepage: "https://p.example",',
        ('homepage: "https://p.example", hosts: [p.example, "*.p-news.example"],'),
    )
    assert parse_network(listed).publications[0].hosts == (
        "p.example",
        "*.p-news.example",
    )


@pytest.mark.parametrize(
    "hosts, message",
    [
        ('["https://p.example"]', "not a host"),
        ("[other.example]", "homepage"),
        ("p.example", "a list"),
    ],
)
def test_bad_hosts_are_refused(hosts, message):
    changed = MINIMAL.replace(
        'homepage: "https://p.example",',
        f'homepage: "https://p.example", hosts: {hosts},',
    )
    with pytest.raises(NetworkFileError, match=message):
        parse_network(changed)


def test_two_papers_claiming_one_host_are_refused():
    second = MINIMAL.split("publications:\n")[1].replace("slug: paper", "slug: other")
    second = second.replace(
        'homepage: "https://p.example",',
        'homepage: "https://other.example", hosts: [other.example, www.p.example],',
    )
    with pytest.raises(NetworkFileError, match="p.example.*both"):
        parse_network(MINIMAL + second)


def test_a_homepage_that_gives_no_host_is_refused():
    odd = MINIMAL.replace('homepage: "https://p.example"', 'homepage: "https://u@p"')
    with pytest.raises(NetworkFileError, match="not a host"):
        parse_network(odd)
