"""Places and people: what the gazetteer finds in a text, and what is stored."""

from datetime import timedelta

import pytest

from briefings.network.networkfile import load_network
from briefings.stories.assign import assign_article, save_places
from briefings.stories.models import ArticlePlace
from briefings.stories.places import (
    CITY,
    COUNTRY,
    PERSON,
    REGION,
    GazetteerError,
    Place,
    countries,
    find,
    gazetteer,
    parse,
)
from briefings.stories.rebuild import rebuild
from briefings.stories.related import more_from_country
from tests.stories.test_assign import BODY, NOW, OTHER, article


def found(text):
    """Return {(kind, name, country): mentions} of `text`."""
    return {(p.kind, p.name, p.country): n for p, n in find(text).items()}


@pytest.mark.parametrize(
    "text, city, code",
    [
        ("Floods closed roads in Chiang Mai on Monday.", "Chiang Mai", "TH"),
        ("A rally in Rangoon, now Yangon.", "Yangon", "MM"),
        ("Talks in New Delhi", "New Delhi", "IN"),  # not "Delhi"
        ("Investors in Ho Chi Minh City", "Ho Chi Minh City", "VN"),
        ("The Đà Nẵng airport", "Da Nang", "VN"),
        ("Flights from Cox’s Bazar", "Cox's Bazar", "BD"),
    ],
)
def test_a_city_maps_to_its_country(text, city, code):
    places = find(text)
    assert Place(code, CITY, city) in places
    assert countries(text) == {code: sum(places.values())}


@pytest.mark.parametrize(
    "text, region, code",
    [
        ("Tourists returned to Bali after the eruption.", "Bali", "ID"),
        ("A quake in West Java", "Java", "ID"),  # "West" is no part of the name
        ("Camps in Xinjiang", "Xinjiang", "CN"),
        ("Fighting in Mindanao", "Mindanao", "PH"),
        ("Trains to Lao Cai", "Lao Cai", "VN"),  # longer than Lao (Laos)
        ("Sabah votes", "Sabah", "MY"),
        ("Jeju Island", "Jeju", "KR"),
        ("Floods in Sindh and Kerala", "Sindh", "PK"),
        ("Inner Mongolia", "Inner Mongolia", "CN"),  # longer than Mongolia
        ("Kuala Belait is in Belait", "Belait", "BN"),
    ],
)
def test_a_region_maps_to_its_country(text, region, code):
    assert Place(code, REGION, region) in find(text)
    assert code in countries(text)


def test_a_region_counts_for_its_country_beside_its_cities():
    text = "Indonesia: floods in Bali closed Denpasar airport; Jakarta sent help."
    assert found(text) == {
        ("country", "Indonesia", "ID"): 1,
        ("region", "Bali", "ID"): 1,
        ("city", "Denpasar", "ID"): 1,
        ("city", "Jakarta", "ID"): 1,
    }
    assert countries(text) == {"ID": 4}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Papua New Guinea's prime minister spoke.", {}),
        ("巴布亚新几内亚总理", {}),
        (
            "They fled Papua for Papua New Guinea.",
            {("region", "Papua", "ID"): 1},
        ),
    ],
)
def test_papua_new_guinea_is_not_indonesias_papua(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Johor Bahru", {("city", "Johor Bahru", "MY"): 1}),
        ("Chittagong Hill Tracts", {("region", "Chittagong Hill Tracts", "BD"): 1}),
        ("Brunei-Muara", {("region", "Brunei-Muara", "BN"): 1}),
        (
            "Azad Jammu and Kashmir",
            {("region", "Azad Kashmir", "PK"): 1},
        ),  # not India's Jammu and Kashmir
    ],
)
def test_the_longer_of_a_region_and_a_city_or_country_wins(text, expected):
    assert found(text) == expected


def test_a_city_or_a_person_counts_for_their_country():
    text = "Thailand: in Bangkok, Anutin Charnvirakul met Thai officials."
    assert found(text) == {
        ("country", "Thailand", "TH"): 2,  # the name and the demonym
        ("city", "Bangkok", "TH"): 1,
        ("person", "Anutin Charnvirakul", "TH"): 1,
    }
    assert countries(text) == {"TH": 4}


@pytest.mark.parametrize(
    "text",
    [
        "Xi Jinping met Lee Jae-myung.",
        "XI JINPING MET LEE JAE MYUNG.",
        "Xi Jinping met Lee Jae Myung.",
    ],
)
def test_a_person_is_found_by_full_name_in_its_spellings(text):
    assert found(text) == {
        ("person", "Xi Jinping", "CN"): 1,
        ("person", "Lee Jae-myung", "KR"): 1,
    }


@pytest.mark.parametrize(
    "text",
    [
        "Xi said the talks went well; Lee agreed.",
        "Jinping and Jae-myung",
        "Modi, Yunus and Thaksin spoke.",  # a surname or given name alone
        "Mr Lee Jae visited.",  # part of a name
    ],
)
def test_a_person_is_not_found_by_part_of_the_name(text):
    assert find(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "a female voice and fine china",  # common words, lower case
        "Warships in the South China Sea and the Indian Ocean",  # seas
        "China Daily reported, quoting the Jakarta Post.",  # newspapers
        "Korea and Korean ties",  # either Korea
        "A Hyderabad court ruled.",  # in India and in Pakistan
        "Floods in Punjab",  # a state of India, a province of Pakistan
        "Protests in Kashmir",  # disputed between India and Pakistan
        "Fires on Borneo",  # Indonesia, Malaysia and Brunei
        "Bengal tigers",  # West Bengal (India) and Bangladesh
        "Emir Sheikh Sabah Al-Ahmad Al-Sabah",  # Kuwait's, not Malaysia's Sabah
        "Iraq's minister Sabah al-Hussein",  # a given name
        "Iran's Sistan and Baluchistan",  # not Pakistan's Balochistan
        "Chinaman Creek, Japanology",  # not whole words
    ],
)
def test_ambiguous_names_and_parts_of_words_are_no_mention(text):
    assert find(text) == {}


def test_north_korea_is_not_south_korea():
    assert countries("North Korea fired a missile; South Korea protested.") == {
        "KP": 1,
        "KR": 1,
    }


def test_a_lower_case_word_does_not_hide_the_name_after_it():
    assert countries("the republic of Singapore") == {"SG": 1}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "习近平在北京会见日本首相高市早苗",
            {
                ("person", "Xi Jinping", "CN"): 1,
                ("city", "Beijing", "CN"): 1,
                ("country", "Japan", "JP"): 1,
                ("person", "Sanae Takaichi", "JP"): 1,
            },
        ),
        ("東京都と大阪", {("city", "Tokyo", "JP"): 1, ("city", "Osaka", "JP"): 1}),
        (
            "이재명 대통령은 서울에서",
            {("person", "Lee Jae-myung", "KR"): 1, ("city", "Seoul", "KR"): 1},
        ),
        (
            "นายกรัฐมนตรีอนุทิน ชาญวีรกูลเดินทางถึงกรุงเทพฯ",
            {
                ("person", "Anutin Charnvirakul", "TH"): 1,
                ("city", "Bangkok", "TH"): 1,
            },
        ),
        (
            "ประเทศไทยและเชียงใหม่",
            {
                ("country", "Thailand", "TH"): 1,
                ("city", "Chiang Mai", "TH"): 1,
            },
        ),  # fmt: skip
        (
            "ហ៊ុន ម៉ាណែត នៅភ្នំពេញ",
            {("person", "Hun Manet", "KH"): 1, ("city", "Phnom Penh", "KH"): 1},
        ),
        (
            "印度尼西亚和印度",
            {
                ("country", "Indonesia", "ID"): 1,
                ("country", "India", "IN"): 1,
            },
        ),  # fmt: skip
    ],
    ids=["chinese", "japanese", "korean", "thai", "thai-run", "khmer", "longest"],
)
def test_names_in_scripts_without_spaces_are_found(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "新疆和西藏",
            {("region", "Xinjiang", "CN"): 1, ("region", "Tibet", "CN"): 1},
        ),
        ("济州岛", {("region", "Jeju", "KR"): 1}),
        ("제주에서", {("region", "Jeju", "KR"): 1}),
        ("경제주체", {}),  # "economic agent": no Jeju (제주) in it
        (
            "北海道と沖縄",
            {("region", "Hokkaido", "JP"): 1, ("region", "Okinawa", "JP"): 1},
        ),
        (
            "棉兰老岛和棉兰",
            {("region", "Mindanao", "PH"): 1, ("city", "Medan", "ID"): 1},
        ),  # the longer name wins
        ("เกาะสมุย", {("region", "Koh Samui", "TH"): 1}),
        ("沿海南部", {}),  # "the southern coast", not 海南 (Hainan)
        ("澳門氹仔", {("country", "Macau", "MO"): 1, ("region", "Taipa", "MO"): 1}),
    ],
    ids=[
        "chinese",
        "chinese-jeju",
        "korean",
        "korean-word",
        "japanese",
        "longest",
        "thai",
        "chinese-word",
        "macau",
    ],
)
def test_regions_in_scripts_without_spaces_are_found(text, expected):
    assert found(text) == expected


def test_every_network_country_has_names_regions_cities_and_people():
    network = load_network()
    table = gazetteer()
    assert table.as_of
    by_country = {}
    for place in set(filter(None, table.places.values())):
        by_country.setdefault(place.country, set()).add(place.kind)
    for code, name in network.countries.items():
        assert table.country_names[code] == name  # the pages name it alike
        city_state = code == "SG"  # Singapore has islands but no cities of its own
        expected = {COUNTRY, REGION, PERSON} | (set() if city_state else {CITY})
        assert by_country[code] >= expected


def test_a_name_given_to_two_entries_is_refused():
    text = """
countries:
  IN: {name: India, cities: {Hyderabad: []}}
  PK: {name: Pakistan, cities: {Hyderabad: []}}
"""
    with pytest.raises(GazetteerError, match="Hyderabad"):
        parse(text)


# Stored rows ---------------------------------------------------------------------

TEXT = (
    "Xi Jinping told reporters in Beijing that China and Japan would talk. "
    "Officials in Tokyo and Beijing agreed."
)


def _rows():
    return sorted(
        ArticlePlace.objects.values_list(
            "article_id", "kind", "name", "country", "mentions"
        )
    )


def test_assignment_stores_each_place_and_person_with_its_country(network):
    a = article("the-korea-herald", "Beijing and Tokyo to talk", TEXT)
    assign_article(a)
    assert _rows() == sorted(
        [
            (a.pk, "city", "Beijing", "CN", 3),  # two in the body, one in the headline
            (a.pk, "city", "Tokyo", "JP", 2),
            (a.pk, "country", "China", "CN", 1),
            (a.pk, "country", "Japan", "JP", 1),
            (a.pk, "person", "Xi Jinping", "CN", 1),
        ]
    )
    a.body_text = "Nothing more to say."
    a.save()
    assign_article(a)  # an updated article's places are read again
    assert _rows() == [
        (a.pk, "city", "Beijing", "CN", 1),
        (a.pk, "city", "Tokyo", "JP", 1),
    ]


def test_a_region_is_stored_and_counts_for_its_country(network):
    bali = article("the-jakarta-post", "Bali reopens", "Flights to Bali resumed.")
    lahore = article("dawn", "Punjab floods", "Rain in Punjab and Lahore.")
    save_places([bali, lahore])
    assert _rows() == sorted(
        [
            (bali.pk, "region", "Bali", "ID", 2),
            (lahore.pk, "city", "Lahore", "PK", 1),  # Punjab is India's too
        ]
    )
    assert more_from_country("ID") == [bali.pk]


def test_rebuild_stores_the_same_rows_as_live_assignment(network):
    articles = [
        article("the-korea-herald", "North Korea conducts nuclear test", BODY),
        article("the-nation-thailand", "Thai election results", OTHER),
        article("the-japan-news", "Beijing and Tokyo to talk", TEXT),
        article("china-daily", "习近平在北京会见日本首相", "東京"),
    ]
    for a in articles:
        assign_article(a)
    live = _rows()
    assert {row[2] for row in live} >= {"North Korea", "Bangkok", "Xi Jinping"}
    rebuild()
    assert _rows() == live


def test_the_admin_shows_the_places_of_articles_and_stories(admin_client, network):
    a = article("the-nation-thailand", "Thai election results", OTHER)
    story = assign_article(a).story
    listing = admin_client.get("/admin/stories/articleplace/?kind__exact=city")
    assert "Bangkok" in listing.content.decode()
    assert "Thaksin Shinawatra" not in listing.content.decode()  # a person
    page = admin_client.get(f"/admin/stories/story/{story.pk}/change/")
    assert "Thaksin Shinawatra (person, TH) ×1" in page.content.decode()


def test_more_from_country_lists_each_article_once_newest_first(network):
    many_ways = "China: Xi Jinping in Beijing, then Shanghai. Chinese officials."
    older, newer, newest = (
        article("china-daily", f"China story {n}", many_ways, NOW + timedelta(hours=n))
        for n in range(3)
    )
    future = article("china-daily", "Tomorrow", many_ways, NOW + timedelta(days=400))
    elsewhere = article("dawn", "Karachi port", "Karachi and Lahore.", NOW)
    save_places([older, newer, newest, future, elsewhere])
    assert more_from_country("CN") == [newest.pk, newer.pk, older.pk]
    assert more_from_country("CN", exclude=newest, limit=1) == [newer.pk]
    assert more_from_country("PK") == [elsewhere.pk]


def test_macau_is_its_own_place_not_china():
    assert found("Casinos in Macao reopened; Macanese workers returned.") == {
        ("country", "Macau", "MO"): 2
    }
