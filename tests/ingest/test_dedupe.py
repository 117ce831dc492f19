from briefings.ingest.dedupe import distance, is_near_copy, simhash, tokens

STORY = (
    "The monsoon reached the southern coast a week earlier than forecast on Monday, "
    "bringing heavy rain to fishing villages and flooding low-lying roads near the "
    "port. Officials said the early arrival would help farmers who had been waiting "
    "to plant rice, but warned residents of landslides in the hill districts where "
    "the soil was already saturated after a wet spring. Schools in three districts "
    "were closed as a precaution and the navy moved boats to safer harbours. "
    "The weather office expects the rains to spread north over the next ten days, "
    "reaching the capital by the end of the month if the pattern holds, and said "
    "the season's total could be above average for the second year running. "
    "Traders in the central market reported that vegetable prices had already "
    "started to rise as trucks from the hills were delayed by fallen trees, while "
    "the power company restored electricity to most homes by the evening. Relief "
    "workers distributed drinking water and tarpaulins in the worst-hit villages, "
    "and the provincial governor promised compensation for damaged crops. "
)


def test_identical_and_lightly_edited_copies_are_near():
    copy = STORY.replace("Officials said", "Officials told reporters") + (
        " This story first appeared in a partner newspaper."
    )
    assert simhash(STORY) == simhash(STORY)
    assert is_near_copy(simhash(STORY), simhash(copy))


def test_different_stories_are_far():
    other = (
        "Parliament passed the budget late on Thursday after a long debate over fuel "
        "subsidies, with the opposition walking out before the final vote. The finance "
        "minister said the deficit would narrow next year as revenue from the new "
        "sales "
        "tax comes in, while economists questioned the growth forecast of six percent "
        "and warned that the central bank might have to raise interest rates again. "
    )
    assert distance(simhash(STORY), simhash(other)) > 10


def test_short_texts_get_no_hash():
    assert simhash("Too short to judge.") is None
    assert not is_near_copy(None, simhash(STORY))


def test_hash_fits_a_signed_bigint():
    value = simhash(STORY)
    assert -(2**63) <= value < 2**63


def test_spaceless_scripts_are_shingled():
    assert tokens("東京都知事") == ["東京", "京都", "都知", "知事"]
    assert tokens("Hello World") == ["hello", "world"]
