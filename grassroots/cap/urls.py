from django.urls import path

from . import views

app_name = "cap"

urlpatterns = [
    path("alerts.atom", views.feed, name="feed"),
    path("alerts/<int:pk>.xml", views.alert, name="alert"),
    path("certificate.pem", views.certificate, name="certificate"),
]
