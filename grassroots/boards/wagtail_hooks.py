from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .console import policies
from .console.boards import BoardViewSet
from .console.content import ItemViewSet, OriginViewSet, TakeoverViewSet
from .console.home import OfflineBoardsPanel

# Policies first: Wagtail builds a fallback policy on first use otherwise.
policies.register()


class BoardsGroup(ViewSetGroup):
    menu_label = _("E-bulletin boards")
    menu_icon = "desktop"
    menu_order = 250
    items = (BoardViewSet, ItemViewSet, TakeoverViewSet, OriginViewSet)


@hooks.register("register_admin_viewset")
def register_boards():
    return BoardsGroup()


@hooks.register("construct_homepage_panels")
def offline_boards(request, panels):
    panels.append(OfflineBoardsPanel(request))
