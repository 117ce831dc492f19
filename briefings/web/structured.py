"""Structured data about an article: JSON-LD NewsArticle (schema.org)."""

import json

from django.utils.safestring import mark_safe

# Inside <script>, "</script>" or "<!--" in a string would end or confuse the
# element; escaping <, > and & as \u escapes keeps the JSON equal and inert.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def news_article(article, page_url):
    """Return the schema.org NewsArticle mapping for `article` shown at `page_url`."""
    publication = article.publication
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:110],
        "description": article.dek or article.excerpt,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": [
            {"@type": "Person", "name": article.byline}
            if article.byline
            else {"@type": "Organization", "name": publication.name}
        ],
        "publisher": {
            "@type": "Organization",
            "name": publication.name,
            "url": publication.homepage,
        },
        "mainEntityOfPage": page_url,
        "url": article.canonical_url,
        "isAccessibleForFree": True,
    }
    if publication.logo:
        data["publisher"]["logo"] = {"@type": "ImageObject", "url": publication.logo}
    if article.image:
        data["image"] = [article.image]
    if article.language:
        data["inLanguage"] = article.language
    return data


def json_ld(data):
    """Return `data` as JSON safe to place inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 (escaped above)
