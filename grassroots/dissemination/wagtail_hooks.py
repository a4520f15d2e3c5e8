from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from . import access, summary, views


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("dissemination/", views.index, name="dissemination_index"),
        path("dissemination/<int:pk>/", views.detail, name="dissemination_report"),
        path(
            "dissemination/<int:pk>/xlsx/",
            views.export_xlsx,
            name="dissemination_report_xlsx",
        ),
    ]


class ScopedMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_anywhere(request.user, Capability.VIEW)


@hooks.register("register_admin_menu_item")
def dissemination_menu_item():
    return ScopedMenuItem(
        _("Dissemination"),
        reverse("dissemination_index"),
        icon_name="tasks",
        order=160,
    )


@hooks.register("bulletin_inspect_panels")
def coverage_panel(request, bulletin) -> str:
    """Add the "x/y hamlets heard it" line and a link to the report to a bulletin's page."""
    if request is None or bulletin.first_published_at is None:
        return ""
    if not access.visible(request.user).filter(pk=bulletin.pk).exists():
        return ""
    roots = scope.roots(request.user, Capability.VIEW)
    return render_to_string(
        "dissemination/bulletin_panel.html",
        {"bulletin": bulletin, "heard": summary.hamlets_heard(bulletin, roots)},
        request=request,
    )
