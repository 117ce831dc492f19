import pytest

from briefings.stories.tokenize import MAX_CHARS, names, terms


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The talks in Seoul", ["talk", "seoul"]),
        ("日本の首相", ["日本", "本の", "の首", "首相"]),
        ("กรุงเทพ", ["กร", "รุ", "ุง", "งเ", "เท", "ทพ"]),
        ("서울", ["서울"]),
        ("中", ["中"]),
        ("", []),
    ],
)
def test_terms_split_cased_words_and_bigram_cjk_and_thai(text, expected):
    assert terms(text) == expected


def test_a_megabyte_text_is_read_only_up_to_the_cap():
    assert len(terms("word " * 200_000)) <= MAX_CHARS // 5 + 1


def test_names_are_the_capitalized_words():
    assert names("Kim Jong-il met Roh Moo-hyun in Pyongyang on Tuesday") >= {
        "kim",
        "pyongyang",
    }
