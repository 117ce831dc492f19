"""Plain share links for an article: no third-party JavaScript, just URLs."""

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class ShareLink:
    name: str
    label: str
    url: str


def share_links(url, title):
    """Return the share links for a page at absolute `url` titled `title`."""
    return [
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        ShareLink(
            "x",
            "X",
            "https://x.com/intent/post?" + urlencode({"url": url, "text": title}),
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?"
            + urlencode({"url": url}),
        ),
        ShareLink(
            "whatsapp",
            "WhatsApp",
            "https://wa.me/?" + urlencode({"text": f"{title} {url}"}),
        ),
        ShareLink(
            "email",
            "Email",
            "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=_quote),
        ),
    ]


def _quote(value, safe="", encoding=None, errors=None):
    # mailto: wants %20 for spaces, not "+" (RFC 6068).
    return quote(value, safe=safe, encoding=encoding, errors=errors)
