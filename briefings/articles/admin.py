from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from briefings.articles.models import Article
from briefings.articles.sanitize import (
    is_public_url,
    paper_private_hosts,
    sanitize_html,
)


class ArticleForm(forms.ModelForm):
    """An article as an editor corrects it: the body goes through the same
    allowlist as at ingest (readers see it as stored), and the lead image must
    be one a reader's browser may be sent to. (ArticleAdmin gives the model
    and the fields.)"""

    def _private_hosts(self):
        url = self.cleaned_data.get("canonical_url", "")
        return paper_private_hosts(self.cleaned_data.get("feed"), url)

    def clean_body_html(self):
        return sanitize_html(
            self.cleaned_data["body_html"],
            self.cleaned_data.get("canonical_url", ""),
            self._private_hosts(),
        )

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image and not is_public_url(image, self._private_hosts()):
            raise ValidationError(
                "This image is not on a public internet host: every reader's "
                "browser would request it from their own network.",
                code="private_image",
            )
        return image


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["headline", "publication", "published_at", "status", "word_count"]
    list_filter = ["status", "publication__region", "publication"]
    search_fields = ["headline", "dek", "canonical_url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["feed"]
    readonly_fields = [
        "fetched_at",
        "content_hash",
        "source_hash",
        "word_count",
        "extraction_note",
    ]
