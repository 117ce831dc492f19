"""Stories on the editors' desk: merge, split, pick the lead, pin, release.

What an editor decides is done by stories/editing.py (which keeps addresses
working and makes the decision stick against the re-check); here are the
screens, the permissions (change_story, and add_story to split) and the audit:
every action is a LogEntry on the history of each object it touched.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from briefings.articles.models import Article
from briefings.network.admin import short, when
from briefings.stories import editing
from briefings.stories.models import ArticlePlace, Pin, Story, StoryMembership

CSS = {"all": ["stories/desk.css"]}


class MembershipInline(admin.TabularInline):
    """The story's articles, as the machine or an editor placed them. Read
    only: articles move between stories by merge and split, which keep counts,
    addresses and the editors' lock right."""

    model = StoryMembership
    fields = ["article", "paper", "published", "score", "pinned_by_editor"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["article__published_at", "article_id"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="paper")
    def paper(self, membership):
        return membership.article.publication.name

    @admin.display(description="published")
    def published(self, membership):
        return when(membership.article.published_at)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article__publication")


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(
        coerce=int, widget=forms.RadioSelect, label="Keep the address of"
    )

    def __init__(self, stories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [
            (s.pk, f"{s.headline or s} ({s.article_count} articles, story {s.pk})")
            for s in stories
        ]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["story", "article_count", "paper_count", "began", "editor"]
    list_filter = ["locked_by_editor"]
    search_fields = ["headline", "=id"]
    date_hierarchy = "first_published_at"
    fields = [
        "headline",
        "article_count",
        "first_published_at",
        "last_published_at",
        "first_report",
        "lead",
        "locked_by_editor",
        "places_and_people",
    ]
    readonly_fields = fields
    inlines = [MembershipInline]
    actions = ["merge_stories", "pin_to_front", "pin_to_region", "release_stories"]
    change_form_template = "stories/admin/story_change_form.html"

    class Media:
        css = CSS

    def has_add_permission(self, request):
        # A story is made by the machine or by splitting one (add_story), never
        # empty by hand.
        return False

    def _may_split(self, request):
        return request.user.has_perm("stories.add_story")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(papers=Count("members__article__publication", distinct=True))
        )

    @admin.display(description="story", ordering="headline")
    def story(self, story):
        return format_html(
            '{} <span class="story-id">#{}</span>', short(str(story), 110), story.pk
        )

    @admin.display(description="papers", ordering="papers")
    def paper_count(self, story):
        return story.papers

    @admin.display(description="began", ordering="first_published_at")
    def began(self, story):
        return when(story.first_published_at)

    @admin.display(description="editor's", boolean=True, ordering="locked_by_editor")
    def editor(self, story):
        return story.locked_by_editor

    @admin.display(description="places and people")
    def places_and_people(self, story):
        """The places and people its articles mention, most mentioned first."""
        rows = (
            ArticlePlace.objects.filter(article__story_membership__story=story)
            .values("name", "kind", "country")
            .annotate(total=Sum("mentions"))
            .order_by("-total", "name")
        )
        return ", ".join(
            f"{r['name']} ({r['kind']}, {r['country']}) ×{r['total']}" for r in rows
        )

    def get_urls(self):
        arrange = self.admin_site.admin_view(self.arrange_view)
        return [
            path("<int:pk>/arrange/", arrange, name="stories_story_arrange"),
            *super().get_urls(),
        ]

    # Merge -----------------------------------------------------------------

    @admin.action(
        description="Merge the selected stories into one", permissions=["change"]
    )
    def merge_stories(self, request, queryset):
        """Ask which story's address to keep, then merge (the others' addresses
        redirect to it)."""
        stories = list(queryset.order_by("-article_count", "first_published_at"))
        if len(stories) < 2:
            self.message_user(
                request, "Select two or more stories to merge.", messages.ERROR
            )
            return None
        form = MergeForm(stories, request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            into = next(s for s in stories if s.pk == form.cleaned_data["into"])
            others = [s for s in stories if s.pk != into.pk]
            # The merged-away stories' entries outlive them (the desk's list of
            # actions shows them); the survivor's history names them.
            LogEntry.objects.log_actions(
                request.user.pk,
                others,
                DELETION,
                change_message=f"Merged into story {into.pk} ({into.headline})",
            )
            merged = editing.merge(stories, into=into)
            self.log_change(
                request,
                merged,
                "Merged stories "
                + ", ".join(f"{s.pk} ({s.headline})" for s in others)
                + " into this one",
            )
            self.message_user(
                request,
                f"{len(others) + 1} stories merged into story {merged.pk}: "
                f"{merged.article_count} articles; the others' addresses "
                "redirect to it.",
                messages.SUCCESS,
            )
            return None
        form.fields["into"].initial = stories[0].pk
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge stories",
            "opts": self.model._meta,
            "stories": stories,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "stories/admin/merge.html", context)

    # Split and lead ----------------------------------------------------------

    def arrange_view(self, request, pk):
        """The story's articles with what an editor can do to them: split some
        out into a new story, or make one the lead."""
        story = get_object_or_404(Story, pk=pk)
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        if request.method == "POST":
            return self._arrange(request, story)
        members = list(
            Article.objects.filter(story_membership__story=story)
            .select_related("publication__region", "story_membership")
            .defer("body_html", "body_text")
            .order_by("published_at", "id")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Arrange story {story.pk}",
            "subtitle": story.headline,
            "opts": self.model._meta,
            "original": story,
            "story": story,
            "members": members,
            "leading": story.leading_article_id,
            "can_split": self._may_split(request),
            "media": self.media,
        }
        return TemplateResponse(request, "stories/admin/arrange.html", context)

    def _arrange(self, request, story):
        here = reverse("admin:stories_story_arrange", args=[story.pk])
        try:
            if "split" in request.POST:
                if not self._may_split(request):
                    raise PermissionDenied
                ids = [v for v in request.POST.getlist("article") if v.isdigit()]
                headlines = dict(
                    Article.objects.filter(pk__in=ids).values_list("id", "headline")
                )
                new = editing.split(story, ids)
                moved = "; ".join(f"{pk} ({headlines[int(pk)]})" for pk in ids)
                self.log_change(
                    request, story, f"Split out into story {new.pk}: articles {moved}"
                )
                self.log_addition(
                    request, new, f"Split out of story {story.pk}: articles {moved}"
                )
                self.message_user(
                    request,
                    f"{len(ids)} article(s) split out into story {new.pk}; "
                    f"story {story.pk} keeps its address.",
                    messages.SUCCESS,
                )
                return redirect(here)
            if "lead" in request.POST:
                value = request.POST.get("lead_article", "")
                article = Article.objects.filter(
                    pk=int(value) if value.isdigit() else 0
                ).first()
                if article is None:
                    raise editing.EditError("Choose the article to lead the story.")
                editing.set_lead(story, article)
                self.log_change(
                    request,
                    story,
                    f"Lead article set to {article.pk} ({article.headline})",
                )
                self.message_user(
                    request,
                    f"“{article.headline}” now leads the story.",
                    messages.SUCCESS,
                )
                return redirect(here)
        except editing.EditError as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return redirect(here)
        self.message_user(request, "Nothing was asked.", messages.WARNING)
        return redirect(here)

    # Pins and release --------------------------------------------------------

    def _pin(self, request, queryset, place):
        until = timezone.now() + editing.PIN_HOURS
        count = 0
        for story in queryset:
            try:
                made = editing.pin(
                    story=story, place=place, until=until, by=request.user
                )
            except editing.EditError as refused:
                self.message_user(request, f"{story}: {refused}", messages.ERROR)
                continue
            self.log_change(
                request,
                story,
                f"Pinned to the {made.get_place_display()} until "
                f"{timezone.localtime(made.expires_at):%Y-%m-%d %H:%M %Z}",
            )
            count += 1
        self.message_user(
            request,
            f"{count} story(ies) pinned for {editing.PIN_HOURS_TEXT}; "
            "change or remove a pin under Pins.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Pin to the top of the front page (24 h)",
        permissions=["change"],
    )
    def pin_to_front(self, request, queryset):
        self._pin(request, queryset, Pin.Place.FRONT)

    @admin.action(
        description="Pin to the top of its region's section (24 h)",
        permissions=["change"],
    )
    def pin_to_region(self, request, queryset):
        self._pin(request, queryset, Pin.Place.REGION)

    @admin.action(
        description="Hand back to the machine (no lock, no chosen lead)",
        permissions=["change"],
    )
    def release_stories(self, request, queryset):
        released = 0
        for story in queryset.filter(locked_by_editor=True):
            editing.release(story)
            self.log_change(request, story, "Released: the re-check may regroup it")
            released += 1
        self.message_user(request, f"{released} story(ies) released.", messages.SUCCESS)


class PinForm(forms.ModelForm):
    """A pin of an article, or of a story (its lead is shown), until a time to
    come."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].required = False

    def clean_expires_at(self):
        expires = self.cleaned_data["expires_at"]
        if expires <= timezone.now():
            raise forms.ValidationError("A pin must expire in the future.")
        return expires

    def clean(self):
        data = super().clean()
        story = data.get("story")
        if story is not None and not data.get("article"):
            data["article"] = story.lead or story.first_report
            self.instance.article = data["article"]
        if not data.get("article") and "article" not in self.errors:
            raise forms.ValidationError("Choose an article or a story to pin.")
        return data


@admin.register(Pin)
class PinAdmin(admin.ModelAdmin):
    """The pins, active and expired (the scheduler deletes expired ones within
    a minute). Deleting a pin unpins; each is logged on the pinned article's or
    story's history too."""

    form = PinForm
    list_display = ["pinned", "place", "until", "active", "pinned_by"]
    list_filter = ["place"]
    raw_id_fields = ["article", "story"]
    fields = ["article", "story", "place", "expires_at"]
    list_select_related = ["article", "story", "pinned_by"]
    actions = ["unpin"]

    class Media:
        css = CSS

    @admin.display(description="pinned")
    def pinned(self, pin):
        target = pin.story or pin.article
        return short(str(target.headline or target), 100)

    @admin.display(description="until", ordering="expires_at")
    def until(self, pin):
        return when(pin.expires_at)

    @admin.display(description="active", boolean=True)
    def active(self, pin):
        return pin.expires_at > timezone.now()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "unpin" logs on the pinned object
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pinned_by = request.user
        super().save_model(request, obj, form, change)
        self.log_change(
            request,
            obj.story or obj.article,
            f"Pinned to the {obj.get_place_display()} until "
            f"{timezone.localtime(obj.expires_at):%Y-%m-%d %H:%M %Z}",
        )

    def delete_model(self, request, obj):
        self.log_change(request, obj.story or obj.article, "Unpinned")
        super().delete_model(request, obj)

    @admin.action(description="Unpin the selected", permissions=["delete"])
    def unpin(self, request, queryset):
        for pin in queryset.select_related("article", "story"):
            self.log_change(request, pin.story or pin.article, "Unpinned")
        count = editing.unpin(queryset)
        self.message_user(request, f"{count} pin(s) removed.", messages.SUCCESS)


@admin.register(ArticlePlace)
class ArticlePlaceAdmin(admin.ModelAdmin):
    """Every place and person found in the articles (stories/places.py)."""

    list_display = ["name", "kind", "country", "mentions", "article"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "article__headline"]
    list_select_related = ["article"]
    raw_id_fields = ["article"]
