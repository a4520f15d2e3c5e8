from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from . import views
from .models import Course, Official, TrainingSession
from .viewsets import TrainingGroup

for model in (Official, Course, TrainingSession):
    register_permission_policy(
        model,
        ScopedPermissionPolicy(
            model, path_field="area__path", manage=Capability.MANAGE_TRAINING
        ),
    )


@hooks.register("register_admin_viewset")
def register_training():
    return TrainingGroup()


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path(
            "training/roster-import/",
            views.import_roster,
            name="training_import_roster",
        ),
        path(
            "training/sessions/<int:pk>/attendance/",
            views.session_attendance,
            name="training_session_attendance",
        ),
        path(
            "training/certificates/<int:pk>/",
            views.certificate,
            name="training_certificate",
        ),
    ]
