"""Extraction rules for the demo's page layouts, as an operator would write them.

The table-based layout has no semantic markup at all (body, byline and related
links are sibling <font> elements), which defeats generic extractors just as
old CMSs do; the demo registers this rule for its table-layout papers.
"""

RULES_BY_LAYOUT = {
    "table": {
        "body": 'td[width="480"] td > font:nth-of-type(3)',
        "byline": 'td[width="480"] td > font:nth-of-type(4)',
        "byline_strip": r"^By\s+",
    },
}
