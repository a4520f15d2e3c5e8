"""The public portal: browse by area and category, read, listen, download, search.

Every page works without JavaScript, is cached (cache.py) and reads only
public bulletins (bulletins.public).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from grassroots.areas.models import Area, Level
from grassroots.bulletins import public
from grassroots.bulletins.models import Bulletin, Category, Status
from grassroots.bulletins.search import CappedPaginator

from .cache import cached_page
from .forms import SearchForm

PER_PAGE = 20


def _page(request: HttpRequest, queryset):
    paginator = CappedPaginator(queryset, PER_PAGE)
    return paginator.get_page(request.GET.get("trang"))


def _provinces():
    return Area.objects.provinces().active().order_by("name")


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """Return the front page: emergencies, the latest bulletins, where to look."""
    provinces = list(_provinces())
    return render(
        request,
        "portal/home.html",
        {
            "provinces": provinces,
            "emergencies": public.emergencies(),
            "latest": public.bulletins().exclude(level="emergency")[:10],
            "categories": Category.objects.active(),
        },
    )


def _area_or_404(path: str) -> Area:
    area = public.area_by_path(path)
    if area is None:
        raise Http404(_("There is no such area."))
    return area


@cached_page
def area(request: HttpRequest, path: str) -> HttpResponse:
    """Return what is current in an area (province, commune or hamlet)."""
    place = _area_or_404(path)
    category = None
    slug = request.GET.get("chuyen-muc")
    if slug:
        category = Category.objects.filter(slug=slug).first()
    bulletins = public.filtered(public.bulletins(), area=place, category=category)
    children = place.children.filter(is_active=True).order_by("name")
    return render(
        request,
        "portal/area.html",
        {
            "area": place,
            "ancestors": list(place.ancestors()),
            "children": children,
            "page": _page(request, bulletins),
            "emergencies": public.emergencies(place),
            "category": category,
            "categories": Category.objects.active(),
            "is_commune": place.level == Level.COMMUNE,
        },
    )


@cached_page
def category(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the current bulletins of one category, everywhere."""
    kind = get_object_or_404(Category, slug=slug, is_active=True)
    bulletins = public.filtered(public.bulletins(), category=kind)
    return render(
        request,
        "portal/category.html",
        {
            "category": kind,
            "page": _page(request, bulletins),
            "categories": Category.objects.active(),
        },
    )


def _public_bulletin(pk: int) -> Bulletin:
    bulletin = (
        Bulletin.objects.select_related("category", "issuing_area")
        .filter(pk=pk)
        .first()
    )
    if bulletin is None or bulletin.first_published_at is None:
        raise Http404(_("There is no such bulletin."))
    return bulletin


@cached_page
def bulletin(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """Return one bulletin's page, with its audio and attachments."""
    item = _public_bulletin(pk)
    if not item.is_public:
        # Withdrawn or expired: say so, without repeating what was withdrawn.
        return render(
            request,
            "portal/gone.html",
            {"withdrawn": item.status == Status.WITHDRAWN},
            status=410,
        )
    if slug != item.slug:
        return redirect(item.get_absolute_url(), permanent=True)
    return render(
        request,
        "portal/bulletin.html",
        {
            "bulletin": item,
            "attachments": list(item.attachments.all()),
            "targets": list(item.target_areas.all()),
        },
    )


def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Stream an attachment of a public bulletin (never of a draft or withdrawn one)."""
    item = _public_bulletin(pk)
    if not item.is_public:
        raise Http404(_("This bulletin is no longer in force."))
    file = get_object_or_404(item.attachments, pk=attachment_pk)
    try:
        handle = file.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    ext = (file.file.name or "").rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=file.content_type,
        as_attachment=file.kind == "document",
        filename=f"{item.slug}-{file.pk}.{ext}",
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{file.sha256[:32]}"'
    return response


@cached_page
def search(request: HttpRequest) -> HttpResponse:
    """Return the search page; every filter is optional."""
    form = SearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        place = public.area_by_path(data["khu_vuc"]) if data["khu_vuc"] else None
        bulletins = public.filtered(
            public.bulletins(),
            area=place,
            category=data["chuyen_muc"],
            level=data["muc_do"] or None,
            since=data["tu_ngay"],
            until=data["den_ngay"],
            query=data["q"],
        )
        page = _page(request, bulletins)
    return render(
        request,
        "portal/search.html",
        {"form": form, "page": page, "provinces": _provinces()},
    )
