from wagtail import hooks


@hooks.register("construct_main_menu")
def hide_wagtail_help_menu(request, menu_items):
    """Drop Wagtail's own "Help" menu: it points to Wagtail's English guides."""
    menu_items[:] = [item for item in menu_items if item.name != "help"]
