from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component


@hooks.register("construct_main_menu")
def hide_wagtail_help_menu(request, menu_items):
    """Drop Wagtail's own "Help" menu: it points to Wagtail's English guides."""
    menu_items[:] = [item for item in menu_items if item.name != "help"]


@hooks.register("insert_global_admin_css")
def console_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static("core/console.css"))


class DownPanel(Component):
    """On administrators' home page, first: the parts of the installation that are down."""

    name = "installation_down"
    template_name = "core/home_down.html"
    order = 10

    def __init__(self, down):
        self.down = down

    def get_context_data(self, parent_context=None):
        return {"down": self.down}


@hooks.register("construct_homepage_panels")
def add_down_panel(request, panels):
    from grassroots.accounts import scope
    from grassroots.accounts.roles import Capability

    from . import health

    if not scope.can_anywhere(request.user, Capability.MANAGE_USERS):
        return
    down = [check for check in health.status(web=False) if not check.ok]
    if down:
        panels.append(DownPanel(down))


@hooks.register("insert_global_admin_js")
def console_js():
    """Label listing cells with their column, so a row reads as a card on a phone."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<script src="{}" defer></script>', static("core/console.js"))


@hooks.register("construct_homepage_panels")
def today_first(request, panels):
    """Start every home page with what to do now and the role's main actions.

    Wagtail's page-site summary (pages, images, documents) means nothing here.
    """
    from .home import TodayPanel

    panels[:] = [p for p in panels if getattr(p, "name", "") != "site_summary"]
    panels.insert(0, TodayPanel(request))
