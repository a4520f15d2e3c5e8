"""Atom feeds of current bulletins: everywhere, per area, per category, or both."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from grassroots.bulletins import public
from grassroots.bulletins.content import body_text
from grassroots.bulletins.models import Bulletin, Category

from .cache import cached_page

ITEMS = 50


class BulletinFeed(Feed):
    """Newest first; ``?chuyen-muc=slug`` narrows any feed to one category."""

    feed_type = Atom1Feed

    def get_object(self, request, path: str = "", slug: str = ""):
        area = None
        if path:
            area = public.area_by_path(path)
            if area is None:
                raise Http404(_("There is no such area."))
        slug = slug or request.GET.get("chuyen-muc", "")
        category = get_object_or_404(Category, slug=slug) if slug else None
        self.request = request
        return {"area": area, "category": category, "path": request.path}

    def title(self, obj):
        parts = [_("Bulletins")]
        if obj["category"]:
            parts.append(obj["category"].name)
        if obj["area"]:
            parts.append(obj["area"].name)
        return " — ".join(str(p) for p in parts)

    def link(self, obj):
        if obj["area"]:
            return reverse("portal:area", args=[obj["area"].url_path])
        if obj["category"]:
            return reverse("portal:category", args=[obj["category"].slug])
        return reverse("portal:home")

    def subtitle(self, obj):
        return _("Essential information from the grassroots information system.")

    def items(self, obj):
        queryset = public.filtered(
            public.bulletins(), area=obj["area"], category=obj["category"]
        )
        return queryset.order_by("-last_published_at", "-pk")[:ITEMS]

    def item_title(self, item: Bulletin):
        prefix = "" if item.level == "normal" else f"[{item.get_level_display()}] "
        return prefix + item.title

    def item_description(self, item: Bulletin):
        return item.summary or body_text(item.body)[:500]

    def item_link(self, item: Bulletin):
        return item.get_absolute_url()

    def item_guid(self, item: Bulletin):
        return f"urn:uuid:{item.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Bulletin):
        return item.first_published_at

    def item_updateddate(self, item: Bulletin):
        return item.last_published_at

    def item_author_name(self, item: Bulletin):
        return item.issuing_agency or item.issuing_area.name

    def item_categories(self, item: Bulletin):
        return [item.category.name]


feed = cached_page(BulletinFeed())
