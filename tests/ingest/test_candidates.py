"""The guard among body readings (ingest/candidates.py), on pages built to
show each way a single reading fails."""

import json

from briefings.ingest.candidates import Candidate, Guard, choose, json_ld_candidate
from briefings.ingest.extract import extract_page

ARTICLE = " ".join(
    f"Sentence number {n} of the storm story tells what the harbour saw."
    for n in range(12)
)


def reading(name, paragraphs, link_chars=0):
    text = "\n".join(paragraphs)
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return Candidate(name, html, text, link_chars=link_chars)


def test_the_preferred_reading_wins_when_nothing_is_wrong():
    precision = reading("precision", [ARTICLE, ARTICLE[:200]])
    recall = reading("recall", [ARTICLE, ARTICLE[:200], "Share this story"])
    chosen, note = choose([precision, recall])
    assert chosen is precision
    assert note.startswith("precision")
    assert "recall" in note  # the other reading is named: nothing silent


def test_a_reprint_notice_is_never_the_body():
    """Precision mode on a paywalled page kept only the reprint notice."""
    notice = reading(
        "precision",
        [
            "This copy is for your personal, non-commercial use only. Distribution "
            "and use of this material are governed by our Subscriber Agreement.",
            "https://paper.example/articles/home-depot",
        ],
    )
    article = reading("recall", [ARTICLE] * 5 + ["Copyright ©2019 Paper Inc."])
    chosen, note = choose([notice, article])
    assert chosen is article
    assert "precision: mostly notices" in note


def test_a_body_much_shorter_than_another_article_like_one_is_passed_over():
    short = reading("precision", [ARTICLE[:150]])
    whole = reading("recall", [ARTICLE] * 4)
    chosen, note = choose([short, whole], Guard(shorter=0.3))
    assert chosen is whole
    assert "is under 30% of recall" in note


def test_a_kept_body_under_half_of_another_reading_is_flagged():
    article = reading("precision", [ARTICLE[:600]])
    longer = reading("recall", [ARTICLE] * 2)
    chosen, note = choose([article, longer], Guard(shorter=0.3))
    assert chosen is article
    assert "SHORTER: " in note and "of recall" in note


def test_a_longer_reading_that_is_a_link_list_is_no_article():
    article = reading("precision", [ARTICLE])
    links = reading("recall", [ARTICLE] + ["Related story headline"] * 200)
    links.link_chars = len(links.text) - len(ARTICLE)
    chosen, note = choose([article, links])
    assert chosen is article
    assert "recall:" in note and "links" in note


def test_a_shorter_reading_that_disagrees_is_kept_and_said_so():
    article = reading("precision", [ARTICLE[:300]])
    other = reading("recall", ["Quite another text about gardens and rain."] * 40)
    chosen, note = choose([article, other], Guard(shorter=0.5, agree=0.8))
    assert chosen is article
    assert "kept although under 50% of recall" in note


def test_paragraphs_cut_before_their_first_link_are_read_whole():
    """trafilatura's precision mode with links dropped each paragraph's text
    before its first link (cnn.com); recall mode had them whole."""
    whole = [
        "The major Asian market indexes were mixed in early trading Tuesday "
        "after CNBC reported that the mood in Beijing was pessimistic.",
        "Japan's Nikkei 225 declined 0.3%, while South Korea's Kospi Index fell "
        "0.5% on the day's trading.",
        "The US government on Monday did extend a temporary general license "
        "allowing American companies to sell to Huawei.",
    ]
    cut = [
        "CNBC reportedthat the mood in Beijing was pessimistic.",
        "Kospi Index fell 0.5% on the day's trading.",
        "extend a temporary general licenseallowing American companies to sell "
        "to Huawei.",
    ]
    precision, recall = reading("precision", cut), reading("recall", whole)
    chosen, note = choose([precision, recall], Guard(broken=3))
    assert chosen is recall
    assert "cut mid-sentence" in note
    # Paragraphs that start a sentence inside a longer paragraph are no cut.
    merged = reading("recall", [" ".join(whole)])
    sentences = reading("precision", whole)
    assert choose([sentences, merged], Guard(broken=3))[0] is sentences


def test_the_json_ld_body_is_a_reading_and_is_escaped():
    candidate = json_ld_candidate("First <b>para</b>.\n\n  Second   para. ")
    assert candidate.text == "First <b>para</b>.\nSecond para."
    assert candidate.html == "<p>First &lt;b&gt;para&lt;/b&gt;.</p><p>Second para.</p>"


def test_no_reading_at_all_is_none():
    assert choose([reading("precision", []), reading("recall", [])])[0] is None


def test_a_page_whose_html_body_is_cut_short_takes_the_whole_article():
    sentences = [
        f"Paragraph {n}: the council met and voted on the harbour plan."
        for n in range(30)
    ]
    data = {
        "@type": "NewsArticle",
        "headline": "Votes",
        "articleBody": "\n".join(sentences),
    }
    html = f"""<html><head><script type="application/ld+json">{json.dumps(data)}
    </script></head><body><article><h1>Council votes</h1><p>{sentences[0]}</p>
    <div class="paywall">Subscribe to read more.</div></article></body></html>"""
    extraction = extract_page(html, "https://paper.example/council")
    # trafilatura's recall mode falls back on the JSON-LD body itself; either
    # way the whole article is read, never the paywall's first paragraph.
    assert extraction.method in {"recall", "json-ld"}
    assert "Paragraph 29" in extraction.body_text
    assert "precision 74 chars is under 30% of" in extraction.note


def test_the_reason_is_on_the_extraction():
    html = (
        "<html><body><article>" + f"<p>{ARTICLE}</p>" * 3 + "</article></body></html>"
    )
    extraction = extract_page(html, "https://paper.example/a")
    assert extraction.note.startswith(f"{extraction.method} ")
    assert "paragraphs" in extraction.note
