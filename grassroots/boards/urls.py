"""The board players' addresses: ``/board/<token>/`` and what the player calls."""

from django.urls import path

from .views import device

app_name = "boards"

urlpatterns = [
    path("<str:token>/", device.page, name="player"),
    path("<str:token>/sw.js", device.service_worker, name="sw"),
    path("<str:token>/playlist.json", device.playlist_json, name="playlist"),
    path("<str:token>/events", device.events, name="events"),
    path("<str:token>/report", device.report, name="report"),
    path("<str:token>/screenshot", device.screenshot, name="screenshot"),
    path(
        "<str:token>/media/item/<int:pk>/<str:digest>",
        device.media_item,
        name="media_item",
    ),
    path(
        "<str:token>/media/attachment/<int:pk>/<str:digest>",
        device.media_attachment,
        name="media_attachment",
    ),
]
