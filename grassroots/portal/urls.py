from django.urls import path, re_path

from . import feeds, views

app_name = "portal"

AREA = r"(?P<path>[0-9A-Za-z-]+(?:/[0-9A-Za-z-]+)*)"

urlpatterns = [
    path("", views.home, name="home"),
    path("tim-kiem/", views.search, name="search"),
    path("feed/", feeds.feed, name="feed"),
    re_path(rf"^khu-vuc/{AREA}/feed/$", feeds.feed, name="area_feed"),
    re_path(rf"^khu-vuc/{AREA}/$", views.area, name="area"),
    path("chuyen-muc/<slug:slug>/", views.category, name="category"),
    path("chuyen-muc/<slug:slug>/feed/", feeds.feed, name="category_feed"),
    path("ban-tin/<int:pk>-<slug:slug>/", views.bulletin, name="bulletin"),
    path("ban-tin/<int:pk>/", views.bulletin, name="bulletin_short"),
    path(
        "ban-tin/<int:pk>/tep/<int:attachment_pk>/",
        views.attachment,
        name="attachment",
    ),
]
