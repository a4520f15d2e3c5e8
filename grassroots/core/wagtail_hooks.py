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
