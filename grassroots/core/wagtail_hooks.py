from wagtail import hooks


@hooks.register("construct_main_menu")
def hide_wagtail_help_menu(request, menu_items):
    """Drop Wagtail's own "Help" menu: it points to Wagtail's English guides."""
    menu_items[:] = [item for item in menu_items if item.name != "help"]


@hooks.register("insert_global_admin_css")
def console_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static("core/console.css"))


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
