"""Per-publication extraction rules, as data: where the body is, what to strip.

One alphabetized table keyed by the paper's host name (without "www."), in the
manner of Miniflux's scraper rules. A rule wins over the generic extractor where
present. A publication's own `extraction_rules` (set in admin or by the demo
network) win over the table.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Rule:
    body: str = ""  # CSS selector of the element(s) holding the article body
    strip: tuple[str, ...] = field(default=())  # CSS selectors removed from the body
    byline: str = ""  # CSS selector of the byline
    byline_strip: str = ""  # a regular expression removed from the byline

    @classmethod
    def from_dict(cls, data):
        data = data or {}
        return cls(
            body=str(data.get("body", "")),
            strip=tuple(str(s) for s in data.get("strip", ())),
            byline=str(data.get("byline", "")),
            byline_strip=str(data.get("byline_strip", "")),
        )


# Keep alphabetized (a test checks it). Add a paper's rule only from its real pages,
# with a golden file in tests/ingest/golden/ that shows it working.
RULES = {
    "globalvoicesonline.org": Rule(
        body="div.entry",
        strip=(
            "div.postmetadata",
            "div.sharethis",
            "p.translations",
            "div.wp-caption-text",
        ),
    ),
}


def rule_for(url, publication_rules=None):
    """Return the rule for an article at `url`, or None for the generic extractor."""
    if publication_rules:
        return Rule.from_dict(publication_rules)
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    while host:
        if host in RULES:
            return RULES[host]
        host = host.partition(".")[2]
    return None
