import json
import smtplib
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminErrorList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Count, F
from django.forms.formsets import all_valid
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone

from briefings.articles.models import Article
from briefings.newsletter import subscribe as subscriptions
from briefings.newsletter.curate import REDRAFTABLE, RedraftRefused, draft
from briefings.newsletter.deliver import approve
from briefings.newsletter.models import (
    Consent,
    Delivery,
    Edition,
    EditionItem,
    Subscriber,
)
from briefings.newsletter.render import render_edition
from briefings.newsletter.views import _edition_page as edition_page
from briefings.stories.models import StoryMembership


class EditionItemForm(forms.ModelForm):
    class Meta:
        model = EditionItem
        fields = ["position", "article", "blurb"]
        widgets = {
            # A blurb runs to 400 characters: a box that shows it whole.
            "blurb": forms.Textarea(attrs={"rows": 4, "cols": 60, "maxlength": 400}),
            "position": forms.NumberInput(attrs={"style": "width: 4em"}),
        }


class EditionItemInline(admin.TabularInline):
    """Editors reorder (position), replace (article, found by its headline) and
    rewrite blurbs here. Each item shows its paper and region; how many papers
    covered the story is counted, never typed."""

    model = EditionItem
    form = EditionItemForm
    extra = 1
    fields = ["position", "is_lead", "article", "paper", "region", "blurb", "papers"]
    readonly_fields = ["paper", "region", "papers"]
    autocomplete_fields = ["article"]
    ordering = ["position"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("article__publication__region")
        )

    @admin.display(description="paper")
    def paper(self, item):
        return item.article.publication.name if item.article_id else "-"

    @admin.display(description="region")
    def region(self, item):
        return item.article.publication.region.name if item.article_id else "-"


def papers_covering(article):
    """How many papers' articles are in `article`'s story (1 when it has none)."""
    membership = StoryMembership.objects.filter(article=article).first()
    if membership is None:
        return 1
    return (
        Article.objects.filter(story_membership__story=membership.story_id)
        .values("publication")
        .distinct()
        .count()
    )


REFUSALS = {
    Edition.Status.DRAFT: "it changed while you approved it; try again",
    Edition.Status.APPROVED: "it is approved already",
    Edition.Status.SENDING: "it is being sent",
    Edition.Status.PAUSED: "its sending is paused ({pause_reason}); resume it with "
    "`briefings newsletter send --resume`",
    Edition.Status.SENT: "it was sent",
    Edition.Status.SKIPPED: "it was skipped: {skip_reason}",
}


def refusal(edition):
    """Why `edition` cannot be approved, in words for its editor."""
    reason = REFUSALS[edition.status].format(
        skip_reason=edition.skip_reason or "no reason recorded",
        pause_reason=edition.pause_reason or "no reason recorded",
    )
    return f"{edition} was not approved: {reason}."


class EditionForm(forms.ModelForm):
    """The edition's form carries the revision the editor opened: a redraft (or
    another editor) in between makes the save fail with the reason, rather than
    mixing two drafts or losing either."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Edition
        fields = ["date", "intro", "send_after"]

    SCHEDULE_REACH = 2  # days after the edition's date a send may be set for

    def clean_send_after(self):
        """A send time the edition can still use: not before its day, not days
        after it (a mistyped month, most likely)."""
        moment = self.cleaned_data.get("send_after")
        day = self.cleaned_data.get("date") or self.instance.date
        if moment and day:
            local = timezone.localtime(moment).date()
            if not day <= local <= day + timedelta(days=self.SCHEDULE_REACH):
                raise ValidationError(
                    f"Set a send time on {day:%d %b %Y} or within two days of "
                    "the edition's date."
                )
        return moment

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_revision"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_revision")
        if self.instance.pk and seen is not None:
            now = Edition.objects.filter(pk=self.instance.pk).values_list(
                "revision", "drafted_at"
            )
            revision, drafted_at = now.first() or (seen, None)
            if revision != seen:
                raise ValidationError(
                    "This edition changed while you edited it (redrafted at "
                    f"{drafted_at:%Y-%m-%d %H:%M} UTC or saved by another editor); "
                    "your changes were not saved. Reload it and make them again."
                    if drafted_at
                    else "This edition changed while you edited it; your changes "
                    "were not saved. Reload it and make them again."
                )
        return cleaned


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    list_display = ["date", "status", "approved_at", "sent_at", "progress"]
    list_filter = ["status"]
    fields = [
        "date",
        "status",
        "intro",
        "send_after",
        "skip_reason",
        "pause_reason",
        "progress",
        "seen_revision",
    ]
    readonly_fields = ["status", "skip_reason", "pause_reason", "progress"]
    inlines = [EditionItemInline]
    actions = ["approve_editions", "redraft_editions", "preview_edition", "send_test"]
    change_form_template = "admin/newsletter/edition/change_form.html"

    class Media:
        # Reorder by drag or keyboard; the live preview (no third-party code).
        js = ["newsletter/edition_desk.js"]
        css = {"all": ["newsletter/edition_desk.css"]}

    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})}
    }

    def save_model(self, request, obj, form, change):
        """Claim the edition for the editor before anything is written: bump
        the revision the form was opened at and mark it edited, by a conditional
        UPDATE (a redraft holding the same revision then writes nothing)."""
        if change:
            seen = form.cleaned_data.get("seen_revision")
            claimed = Edition.objects.filter(
                pk=obj.pk, revision=obj.revision if seen is None else seen
            ).update(edited_at=timezone.now(), revision=F("revision") + 1)
            if not claimed:
                raise ValidationError("the edition changed while it was edited")
            # Only what the editor can change: the status, approval and the
            # sender's fields move by their own conditional updates.
            obj.save(update_fields=["date", "intro", "send_after"])
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and form.instance.items.exists():  # an editor filled a skipped day
            Edition.objects.filter(
                pk=form.instance.pk, status=Edition.Status.SKIPPED
            ).update(status=Edition.Status.DRAFT, skip_reason="")

    @admin.action(description="Redraft the selected editions (not yet sending)")
    def redraft_editions(self, request, queryset):
        for edition in queryset.order_by("date"):
            try:
                edition = draft(edition.date, redo=True)
            except RedraftRefused as refused:
                self.message_user(request, f"Not redrafted: {refused}", messages.ERROR)
                continue
            note = f" (skipped: {edition.skip_reason})" if edition.skip_reason else ""
            self.message_user(
                request,
                f"{edition} redrafted: {edition.items.count()} items{note}",
                messages.SUCCESS,
            )

    @admin.display(description="deliveries")
    def progress(self, edition):
        """Sent, failed, bounced and remaining, as the sender records them."""
        counts = dict(edition.deliveries.values_list("status").annotate(n=Count("pk")))
        if not counts:
            return "none queued"
        S = Delivery.Status
        remaining = counts.get(S.QUEUED, 0) + counts.get(S.SENDING, 0)
        return (
            f"{counts.get(S.SENT, 0)} sent, {counts.get(S.FAILED, 0)} failed, "
            f"{counts.get(S.BOUNCED, 0)} bounced, {remaining} remaining"
        )

    def view_on_site(self, edition):
        """The public page once published; before, the staff's preview (the
        public page of a draft does not exist)."""
        if edition.status in (Edition.Status.SENDING, Edition.Status.SENT):
            return edition.get_absolute_url()
        return reverse("admin:newsletter_edition_preview_web", args=[edition.pk])

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/email/",
                view(self.preview_email_view),
                name="newsletter_edition_preview_email",
            ),
            path(
                "<int:pk>/preview/web/",
                view(self.preview_web_view),
                name="newsletter_edition_preview_web",
            ),
            path(
                "<int:pk>/preview/live/<str:kind>/",
                view(self.live_preview_view),
                name="newsletter_edition_preview_live",
            ),
            *super().get_urls(),
        ]

    def _edition_or_refuse(self, request, pk):
        edition = get_object_or_404(Edition, pk=pk)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        return edition

    def preview_email_view(self, request, pk):
        """The email as subscribers of every region would get it."""
        edition = self._edition_or_refuse(request, pk)
        return HttpResponse(render_edition(edition).html)

    def preview_web_view(self, request, pk):
        """The edition's web page, draft or not."""
        return edition_page(request, self._edition_or_refuse(request, pk))

    def live_preview_view(self, request, pk, kind):
        """The email ("email") or web page ("web") of the edition as the
        editor's unsaved form has it: the form and its items are saved inside
        a transaction that is then rolled back, so the preview is rendered by
        the same code as the real thing and nothing is kept."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if kind not in {"email", "web"}:
            return HttpResponse("unknown preview", status=404)
        edition = self._edition_or_refuse(request, pk)
        if not self.has_change_permission(request, edition):
            return HttpResponse(
                "This edition can no longer be changed: "
                f"it is {edition.get_status_display().lower()}.",
                status=409,
                content_type="text/plain; charset=utf-8",
            )
        # The preview keeps nothing, so it does not claim the edition: the
        # revision the form was opened at is not checked (a save is).
        data = request.POST.copy()
        data["seen_revision"] = str(edition.revision)
        form = self.get_form(request, edition, change=True)(data, instance=edition)
        request.POST = data  # the item formsets read it
        formsets, _ = self._create_formsets(request, form.instance, change=True)
        if not (form.is_valid() and all_valid(formsets)):
            errors = AdminErrorList(form, formsets)
            text = "; ".join(str(e) for e in errors) or "the form has errors"
            return HttpResponse(
                f"Not previewed: {text}",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        with transaction.atomic():
            edition = form.save(commit=False)
            edition.save(update_fields=["intro", "send_after"])
            for formset in formsets:
                self.save_formset(request, form, formset, change=True)
            edition.refresh_from_db()
            if kind == "email":
                html = render_edition(edition).html
            else:
                response = edition_page(request, edition)
                html = response.content.decode(response.charset)
            transaction.set_rollback(True)
        return HttpResponse(html)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {})}
        if object_id and str(object_id).isdigit():
            extra_context["preview_links"] = [
                (
                    "Preview the email",
                    reverse("admin:newsletter_edition_preview_email", args=[object_id]),
                ),
                (
                    "Preview the web page",
                    reverse("admin:newsletter_edition_preview_web", args=[object_id]),
                ),
            ]
            extra_context["live_preview"] = {
                kind: reverse(
                    "admin:newsletter_edition_preview_live", args=[object_id, kind]
                )
                for kind in ("email", "web")
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        """Count the papers of a replaced or added item's story."""
        for item_form in formset.forms:
            item = item_form.instance
            if "article" in item_form.changed_data and item.article_id:
                item.papers = papers_covering(item.article)
        formset.save()

    @admin.action(description="Approve the selected drafts", permissions=["change"])
    def approve_editions(self, request, queryset):
        for edition in queryset.order_by("date"):
            if approve(edition):
                self.log_change(request, edition, "Approved")
                self.message_user(request, f"{edition} approved.", messages.SUCCESS)
            else:
                edition.refresh_from_db()
                self.message_user(request, refusal(edition), messages.ERROR)

    @admin.action(description="Preview the email of the selected edition")
    def preview_edition(self, request, queryset):
        edition = queryset.order_by("-date").first()
        if edition.status == Edition.Status.SKIPPED:
            self.message_user(
                request,
                f"{edition} was skipped: {edition.skip_reason}",
                messages.ERROR,
            )
            return None
        return HttpResponse(render_edition(edition).html)

    @admin.action(description="Send a test of the selected edition to me")
    def send_test(self, request, queryset):
        """Mail the newest selected edition to the editor's own address, marked
        as a test; its links to manage a subscription lead nowhere."""
        edition = queryset.order_by("-date").first()
        address = request.user.email
        if not address:
            self.message_user(
                request,
                "No test sent: your account has no email address (add one in "
                "your user's page).",
                messages.ERROR,
            )
            return
        rendered = render_edition(edition)
        message = EmailMultiAlternatives(
            f"[Test] {rendered.subject}", rendered.text, to=[address]
        )
        message.attach_alternative(rendered.html, "text/html")
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as exc:
            self.message_user(
                request,
                f"No test sent: the mail server refused ({exc}).",
                messages.ERROR,
            )
            return
        self.log_change(request, edition, f"Test sent to {address}")
        self.message_user(
            request, f"Test of {edition} sent to {address}.", messages.SUCCESS
        )

    def has_change_permission(self, request, obj=None):
        # Once sending starts, the edition is what subscribers received.
        if obj is not None and obj.status not in REDRAFTABLE:
            return False
        return super().has_change_permission(request, obj)


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Consent._meta.fields]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Subscribers, their consent records and their suppression: unsubscribed
    and bounced addresses (filter by status) receive nothing until they sign up
    and confirm again."""

    list_display = [
        "email",
        "status",
        "frequency",
        "created_at",
        "confirmed_at",
        "bounce_reason",
    ]
    list_filter = ["status", "frequency"]
    search_fields = ["email"]
    readonly_fields = [
        "token_key",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounce_reason",
    ]
    inlines = [ConsentInline]
    actions = ["export_subscribers", "suppress_subscribers"]

    @admin.action(
        description="Export the selected subscribers with their consents (JSON)",
        permissions=["change"],
    )
    def export_subscribers(self, request, queryset):
        """Everything stored about each (a data subject's access request);
        each export is in the subscriber's history."""
        rows = []
        for subscriber in queryset.prefetch_related("consents"):
            rows.append(subscriptions.export(subscriber))
            self.log_change(request, subscriber, "Exported")
        response = HttpResponse(
            json.dumps(rows, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="subscribers.json"'
        return response

    @admin.action(
        description="Suppress the selected: unsubscribe and revoke their links",
        permissions=["change"],
    )
    def suppress_subscribers(self, request, queryset):
        suppressed = 0
        for subscriber in queryset.exclude(status=Subscriber.Status.UNSUBSCRIBED):
            Subscriber.objects.rotate_token_key(subscriber.token_key)
            Subscriber.objects.filter(pk=subscriber.pk).update(
                status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
            )
            self.log_change(request, subscriber, "Suppressed (unsubscribed)")
            suppressed += 1
        self.message_user(
            request, f"{suppressed} subscriber(s) suppressed.", messages.SUCCESS
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["edition", "subscriber", "status", "attempts", "sent_at"]
    list_filter = ["status", "edition"]
    raw_id_fields = ["subscriber"]
