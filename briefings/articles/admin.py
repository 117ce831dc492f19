from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from briefings.articles.models import Article, ArticleRevision
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


class RevisionInline(admin.TabularInline):
    """The article's earlier versions, the paper's original first-stored among
    them: who replaced each (an editor, or the paper when empty) and when."""

    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ["valid_until", "edited_by", "headline", "dek", "byline"]
    readonly_fields = fields
    ordering = ["-valid_until"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "headline",
        "publication",
        "region",
        "published_at",
        "status",
        "word_count",
    ]
    list_filter = [
        "status",
        "publication__region",
        "publication__country",
        "publication",
        "date_flagged",
    ]
    list_select_related = ["publication__region"]
    search_fields = ["headline", "dek", "canonical_url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["feed"]
    readonly_fields = [
        "fetched_at",
        "content_hash",
        "source_hash",
        "word_count",
        "extraction_note",
        "date_flagged",
        "status_when_shown",
    ]
    inlines = [RevisionInline]
    actions = ["hide_articles", "show_articles"]

    @admin.display(description="region", ordering="publication__region")
    def region(self, article):
        return article.publication.region.name

    def save_model(self, request, obj, form, change):
        """Keep the version an editor's correction of the headline or dek
        replaces, with the editor's name (upsert then keeps the correction)."""
        corrected = {"headline", "dek"} & set(form.changed_data)
        if change and corrected:
            before = Article.objects.get(pk=obj.pk)
            ArticleRevision.keep(before, timezone.now(), edited_by=request.user)
        super().save_model(request, obj, form, change)

    def _set_hidden(self, request, queryset, hidden):
        changed = 0
        for article in queryset:
            if (article.status == Article.Status.HIDDEN) == hidden:
                continue
            if hidden:
                article.status_when_shown = article.status
                article.status = Article.Status.HIDDEN
            else:
                article.status = article.status_when_shown or Article.Status.FULL
                article.status_when_shown = ""
            article.save(update_fields=["status", "status_when_shown"])
            self.log_change(request, article, "Hidden" if hidden else "Shown again")
            changed += 1
        word = "hidden" if hidden else "shown again"
        self.message_user(request, f"{changed} article(s) {word}.", messages.SUCCESS)

    @admin.action(description="Hide the selected articles", permissions=["change"])
    def hide_articles(self, request, queryset):
        self._set_hidden(request, queryset, True)

    @admin.action(
        description="Show the selected articles again", permissions=["change"]
    )
    def show_articles(self, request, queryset):
        self._set_hidden(request, queryset, False)
