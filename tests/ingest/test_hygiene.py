"""Text hygiene (issue #14): dek, excerpt and body never repeat each other."""

from briefings.articles.text import cut_at_sentence
from briefings.ingest.hygiene import excerpt_of, tidy

DEK = "The mayor of Seoul was found dead on Friday morning, police said."


def test_a_first_paragraph_repeating_the_dek_is_cut_from_the_body():
    body = f"<p>{DEK}</p><p>He was reported missing on Thursday.</p>"
    tidied = tidy(DEK, body)
    assert tidied.dek == DEK
    assert tidied.body_html == "<p>He was reported missing on Thursday.</p>"
    assert tidied.excerpt == "He was reported missing on Thursday."


def test_a_dek_repeated_in_italics_before_line_breaks_is_cut_too():
    body = f"<i>{DEK}</i><br><br>He was reported missing on Thursday."
    tidied = tidy(DEK, body)
    assert tidied.body_html == "He was reported missing on Thursday."


def test_a_teaser_followed_by_its_whole_paragraph_is_told_once():
    whole = "A presidential candidate has promised freedom of encryption if elected."
    teaser = "A presidential candidate has promised freedom of encryption if…"
    body = f"<i>{teaser}</i><br><br>{whole}<br><br>Ahn revealed it on Monday."
    tidied = tidy(teaser, body)
    assert tidied.dek == ""  # a cut copy of the opening: the body tells it
    assert tidied.body_html.startswith(whole)
    assert tidied.excerpt.count("A presidential candidate") == 1
    assert "…" not in tidied.excerpt


def test_dek_sentences_that_open_the_first_paragraph_are_told_once_as_the_dek():
    body = f"<p>{DEK} He was 64.</p><p>A search began.</p>"
    tidied = tidy(DEK, body)
    assert tidied.dek == DEK
    assert tidied.body_html.startswith("<p>He was 64.</p>")
    assert not tidied.excerpt.startswith("The mayor")


def test_a_dek_not_in_the_body_stays_and_the_body_is_untouched():
    body = "<p>He was reported missing on Thursday.</p>"
    assert tidy(DEK, body).body_html == body
    assert tidy(DEK, body).dek == DEK


def test_the_credit_line_leaves_the_body():
    credit = "Source: Wikinews, 2020. Licensed under CC BY 2.5. Text modified."
    body = f"<p>He was reported missing.</p><p>{credit}</p>"
    assert tidy("", body, credit).body_html == "<p>He was reported missing.</p>"


def test_an_excerpt_ends_once_on_a_sentence_boundary_when_it_can():
    text = "First sentence is here. " * 8 + "A long tail " * 30
    excerpt = excerpt_of(text, "")
    assert excerpt.endswith("here.") and len(excerpt) <= 240
    no_stops = "word " * 100
    assert excerpt_of(no_stops, "").endswith("word…")
    cut_there = "word " * 20 + "end… " + "more " * 40
    assert cut_at_sentence(cut_there, 107) == "word " * 20 + "end…"


def test_an_excerpt_skips_what_the_dek_says():
    text = f"{DEK} He was 64. A search began."
    assert excerpt_of(text, DEK) == "He was 64. A search began."
