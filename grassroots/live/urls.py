"""Public addresses of live broadcasts: the microphone socket and Icecast's hook."""

from django.urls import path

from . import views

urlpatterns = [
    # Served by grassroots.live.ingest in front of Django (a WebSocket).
    path("mic/<int:pk>/", views.socket_placeholder, name="live_socket"),
    path("stream-hook/", views.stream_hook, name="live_stream_hook"),
]
