from django.urls import path

from briefings.stories import views

urlpatterns = [
    path("story/<int:pk>/", views.story, name="story"),
]
