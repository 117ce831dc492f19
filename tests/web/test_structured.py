"""JSON-LD and OpenGraph on the article page carry hostile text as inert data."""

import json

from lxml import html as lxml_html

from ..factories import make_article

HOSTILE = "</script><script>alert(\"x\")</script> & 'quotes' <!--"


def test_json_ld_is_a_news_article_that_survives_script_breaking_text(client, network):
    article = make_article(
        "dawn", headline=HOSTILE, byline=HOSTILE, dek="A dek with </script> inside"
    )
    response = client.get(article.get_absolute_url())
    body = response.content.decode()
    assert "<script>alert" not in body
    tree = lxml_html.fromstring(response.content)
    (script,) = tree.cssselect('script[type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == HOSTILE
    assert data["author"] == [{"@type": "Person", "name": HOSTILE}]
    assert data["publisher"]["name"] == "Dawn"
    assert data["url"] == article.canonical_url


def test_open_graph_and_twitter_tags_quote_attributes(client, network):
    article = make_article("dawn", headline=HOSTILE)
    tree = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert tree.cssselect('meta[property="og:title"]')[0].get("content") == HOSTILE
    assert tree.cssselect('meta[name="twitter:title"]')[0].get("content") == HOSTILE
    assert (
        tree.cssselect('meta[property="og:url"]')[0]
        .get("content")
        .endswith(article.get_absolute_url())
    )
    assert tree.cssselect("h1")[0].text_content() == HOSTILE
