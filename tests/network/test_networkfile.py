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
