from django.urls import path

from apps.pages import views

page_patterns = (
    [
        path("", views.home, name="home"),
        path("signin", views.signin, name="signin"),
    ],
    "pages",
)
