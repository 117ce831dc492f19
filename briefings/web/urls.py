from django.urls import path

from briefings.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("region/<slug:slug>/", views.region, name="region"),
    path("country/<str:code>/", views.country, name="country"),
    path("publication/<slug:slug>/", views.publication, name="publication"),
    path("search/", views.search, name="search"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("articles/<int:pk>/<slug:slug>/", views.article, name="article-slug"),
]
