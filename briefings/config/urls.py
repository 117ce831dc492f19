from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("newsletter/", include("briefings.newsletter.urls")),
    path("", include("briefings.stories.urls")),
    path("", include("briefings.web.urls")),
]
