from django.contrib import admin
from django.db.models import Sum

from briefings.stories.models import ArticlePlace, Story, StoryMembership


class MembershipInline(admin.TabularInline):
    model = StoryMembership
    raw_id_fields = ["article"]
    extra = 0


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["headline", "article_count", "first_published_at"]
    search_fields = ["headline"]
    date_hierarchy = "first_published_at"
    raw_id_fields = ["first_report"]
    readonly_fields = ["places_and_people"]
    inlines = [MembershipInline]

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


@admin.register(ArticlePlace)
class ArticlePlaceAdmin(admin.ModelAdmin):
    """Every place and person found in the articles (stories/places.py)."""

    list_display = ["name", "kind", "country", "mentions", "article"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "article__headline"]
    list_select_related = ["article"]
    raw_id_fields = ["article"]
