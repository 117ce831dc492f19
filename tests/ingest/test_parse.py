from datetime import UTC, datetime

import pytest

from briefings.ingest.parse import ParseError, parse_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>The Paper</title><link>https://paper.example/</link>
<item><title>Monsoon arrives early</title><link>/news/monsoon</link>
<guid isPermaLink="false">paper-1</guid><dc:creator>By Jane Roe</dc:creator>
<pubDate>Fri, 22 Nov 2019 14:05:00 +0800</pubDate>
<description>Rains reach the coast.</description>
<content:encoded><![CDATA[<p>Rains reach the <b>coast</b> a week early.</p>]]>
</content:encoded>
</item></channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Paper</title>
<entry><id>tag:paper.example,2019:2</id><title>Port reopens</title>
<link rel="alternate" href="https://paper.example/port"/>
<updated>2019-11-23T08:00:00+09:00</updated><published>2019-11-23T07:00:00+09:00</published>
<author><name>Kim Lee</name></author><summary>Ships move again.</summary>
</entry></feed>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "JSON Paper",
"items": [{"id": "3", "url": "/j/3", "title": "Rail link opens",
"content_html": "<p>Trains run.</p>", "date_published": "2019-11-24T10:00:00+05:30",
"authors": [{"name": "A. Writer"}]}]}"""


def test_rss_entry_fields_and_offsets():
    parsed = parse_feed(RSS, "https://paper.example/rss")
    assert parsed.kind == "rss"
    entry = parsed.entries[0]
    assert entry.link == "https://paper.example/news/monsoon"
    assert entry.guid == "paper-1"
    assert entry.title == "Monsoon arrives early"
    assert entry.author == "By Jane Roe"
    assert entry.published == datetime(2019, 11, 22, 6, 5, tzinfo=UTC)
    assert "a week early" in entry.content_html
    assert entry.summary == "Rains reach the coast."


def test_atom_entry():
    parsed = parse_feed(ATOM, "https://paper.example/atom")
    assert parsed.kind == "atom"
    entry = parsed.entries[0]
    assert entry.published == datetime(2019, 11, 22, 22, 0, tzinfo=UTC)
    assert entry.updated == datetime(2019, 11, 22, 23, 0, tzinfo=UTC)
    assert entry.author == "Kim Lee"


def test_json_feed_entry():
    parsed = parse_feed(JSON_FEED, "https://paper.example/feed.json")
    assert parsed.kind == "json"
    entry = parsed.entries[0]
    assert entry.link == "https://paper.example/j/3"
    assert entry.published == datetime(2019, 11, 24, 4, 30, tzinfo=UTC)
    assert entry.author == "A. Writer"


def test_parser_takes_bytes_only():
    with pytest.raises(TypeError):
        parse_feed("/etc/passwd", "https://paper.example/")


@pytest.mark.parametrize(
    "data", [b"", b"<html><body>Just a challenge page</body></html>", b"not xml at all"]
)
def test_non_feeds_are_a_parse_error(data):
    with pytest.raises(ParseError):
        parse_feed(data, "https://paper.example/rss")
