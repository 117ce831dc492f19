"""The rule tester's form. Its input is hostile: the URL is checked against the
paper's hosts (sources.fetch_page), the upload is capped, the rules are parsed
and each selector and pattern compiled before anything runs."""

import json
import re

from cssselect import GenericTranslator, SelectorError

from django import forms

from briefings.desk.sources import UPLOAD_MAX_BYTES
from briefings.network.models import Publication

RULE_KEYS = {"body": str, "strip": list, "byline": str, "byline_strip": str}


def check_selector(selector, name):
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        message = f"{name}: {selector!r} is no CSS selector ({exc})"
        raise forms.ValidationError(message) from None


def parse_rules(text):
    """Return the rules in `text` (JSON) as a dict; raise ValidationError saying
    what is wrong."""
    if not text.strip():
        return {}
    try:
        rules = json.loads(text)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(f"not JSON: {exc}") from None
    if not isinstance(rules, dict):
        raise forms.ValidationError('the rules are a JSON object: {"body": "..."}')
    for key, value in rules.items():
        if key not in RULE_KEYS:
            raise forms.ValidationError(
                f"unknown key {key!r}; the keys are {', '.join(RULE_KEYS)}"
            )
        if not isinstance(value, RULE_KEYS[key]):
            raise forms.ValidationError(f"{key} must be a {RULE_KEYS[key].__name__}")
    for key in ("body", "byline"):
        if rules.get(key):
            check_selector(rules[key], key)
    for selector in rules.get("strip", []):
        if not isinstance(selector, str):
            raise forms.ValidationError("strip is a list of CSS selectors")
        check_selector(selector, "strip")
    try:
        re.compile(rules.get("byline_strip", ""))
    except re.error as exc:
        message = f"byline_strip is no regular expression ({exc})"
        raise forms.ValidationError(message) from None
    return rules


class RuleTesterForm(forms.Form):
    publication = forms.ModelChoiceField(
        Publication.objects.order_by("name"), label="Paper"
    )
    url = forms.URLField(
        label="Article URL",
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text="On the paper's own hosts. With an uploaded page: the address "
        "it was saved from (links are resolved against it).",
        widget=forms.URLInput(attrs={"size": 80}),
    )
    page = forms.FileField(
        label="Or a saved page",
        required=False,
        help_text=f"HTML, up to {UPLOAD_MAX_BYTES // 1024 // 1024} MB.",
    )
    rules = forms.CharField(
        label="Rules (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text='{"body": "CSS selector", "strip": ["selectors"], "byline": '
        '"selector", "byline_strip": "regex"}. Empty: the rules table, then the '
        "generic extractor.",
    )

    def clean_rules(self):
        return parse_rules(self.cleaned_data["rules"])

    def clean_page(self):
        page = self.cleaned_data["page"]
        if page and page.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"the page is over {UPLOAD_MAX_BYTES // 1024 // 1024} MB"
            )
        return page

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("page"):
            raise forms.ValidationError("Give an article URL or upload a saved page.")
        return data
