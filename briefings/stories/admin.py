from django.contrib import admin

from briefings.stories.models import Story, StoryMembership


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
    inlines = [MembershipInline]
