import pytest

from briefings.articles.sanitize import sanitize_html
from briefings.ingest.sanitize import html_to_text


@pytest.mark.parametrize(
    "hostile, gone",
    [
        ("<script>alert(1)</script><p>ok</p>", "alert"),
        ('<p onclick="x()">ok</p>', "onclick"),
        ('<iframe src="https://evil.example"></iframe><p>ok</p>', "iframe"),
        ("<svg onload=alert(1)><p>ok</p></svg>", "svg"),
        ("<style>p{}</style><p>ok</p>", "style"),
        ('<base href="https://evil.example/"><p>ok</p>', "base"),
        ('<meta http-equiv="refresh" content="0"><p>ok</p>', "meta"),
        ('<form action="/x"><input name="a"></form><p>ok</p>', "form"),
        ('<a href="javascript:alert(1)">ok</a>', "javascript"),
        ('<img src="data:image/png;base64,AAAA">ok', "data:"),
    ],
)
def test_hostile_markup_is_removed(hostile, gone):
    clean = sanitize_html(hostile, "https://paper.example/story")
    assert gone not in clean
    assert "ok" in clean


def test_links_become_absolute_and_safe():
    clean = sanitize_html(
        '<p><a href="/more">more</a><img src="pic.jpg" alt="A"></p>',
        "https://paper.example/news/story",
    )
    assert 'href="https://paper.example/more"' in clean
    assert 'rel="noopener noreferrer"' in clean
    assert 'src="https://paper.example/news/pic.jpg"' in clean


def test_structure_survives():
    html = (
        "<h2>Sub</h2><blockquote><p>Quote</p></blockquote>"
        "<figure><img src='https://x.example/a.jpg' alt='a'>"
        "<figcaption>Caption</figcaption></figure><ul><li>one</li></ul>"
    )
    clean = sanitize_html(html)
    for tag in ("<h2>", "<blockquote>", "<figure>", "<figcaption>", "<ul>", "<li>"):
        assert tag in clean


def test_text_keeps_paragraphs_apart():
    assert html_to_text("<p>One.</p><p>Two.</p>") == "One.\nTwo."
