from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.verify, name="otp_verify"),
    path("setup/", views.setup, name="otp_setup"),
    path("replace/", views.replace, name="otp_replace"),
    path("remove/", views.remove, name="otp_remove"),
]
