"""The admin's front page leads to the desk."""

from django.contrib import admin

admin.site.index_template = "desk/admin_index.html"
admin.site.site_header = "Briefings: editors' desk"
admin.site.site_title = "Briefings desk"
