from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.submit, name="submit"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tep/<int:pk>/", views.attachment, name="attachment"),
    path("<str:code>/", views.track, name="track"),
    path("<str:code>/mo-lai/", views.reopen, name="reopen"),
]
