from django.contrib import admin
from django.urls import include, path

from briefings.config.metrics import metrics
from briefings.throttle.login import ThrottledLoginForm

# Failed logins are throttled per account and per client address (issue #11).
admin.site.login_form = ThrottledLoginForm

urlpatterns = [
    # The editors' desk (staff pages beside the admin, inside its login).
    path("admin/desk/", include("briefings.desk.urls")),
    path("admin/", admin.site.urls),
    path("newsletter/", include("briefings.newsletter.urls")),
    # The figures of `briefings queues` for Prometheus, behind a token (#17).
    path("metrics", metrics, name="metrics"),
    path("", include("briefings.stories.urls")),
    path("", include("briefings.web.urls")),
]
