from django.urls import path

from briefings.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("preferences/<str:token>/export/", views.export, name="export"),
    path("preferences/<str:token>/delete/", views.delete, name="delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("today/", views.today, name="today"),
    path("archive/", views.archive, name="archive"),
    path("feed/", views.EditionFeed(), name="feed"),
    path("edition.css", views.edition_css, name="edition_css"),
    path("<str:day>/", views.edition, name="edition"),
]
