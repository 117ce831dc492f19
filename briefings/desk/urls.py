from django.contrib import admin
from django.urls import path

from briefings.desk import views

app_name = "desk"

# admin_view: staff only (others go to the admin's login), never cached.
urlpatterns = [
    path("", admin.site.admin_view(views.home), name="home"),
    path("rules/", admin.site.admin_view(views.rule_tester), name="rule-tester"),
]
