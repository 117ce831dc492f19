from django.contrib import admin

from briefings.articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "publication", "published_at", "status", "word_count"]
    list_filter = ["status", "publication__region", "publication"]
    search_fields = ["headline", "dek", "canonical_url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["feed"]
    readonly_fields = ["fetched_at", "content_hash", "source_hash", "word_count"]
