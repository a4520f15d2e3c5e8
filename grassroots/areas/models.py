from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import PathField


class Level(models.IntegerChoices):
    """Tiers of local government; districts only exist in pre-2025 data."""

    PROVINCE = 1, _("province")
    DISTRICT = 2, _("district")
    COMMUNE = 3, _("commune")
    HAMLET = 4, _("hamlet")


class Kind(models.TextChoices):
    """The legal kind of a unit, as written in Vietnamese administration."""

    PROVINCE = "tinh", _("province (tỉnh)")
    CENTRAL_CITY = "thanh_pho", _("centrally-run city (thành phố)")
    DISTRICT = "huyen", _("district (huyện)")
    URBAN_DISTRICT = "quan", _("urban district (quận)")
    TOWN = "thi_xa", _("town (thị xã)")
    PROVINCIAL_CITY = "thanh_pho_thuoc_tinh", _("provincial city")
    COMMUNE = "xa", _("commune (xã)")
    WARD = "phuong", _("ward (phường)")
    SPECIAL_ZONE = "dac_khu", _("special zone (đặc khu)")
    TOWNLET = "thi_tran", _("township (thị trấn)")
    HAMLET = "ap", _("hamlet (ấp)")
    VILLAGE = "thon", _("village (thôn)")
    RESIDENTIAL_GROUP = "to_dan_pho", _("residential group (tổ dân phố)")
    QUARTER = "khom", _("quarter (khóm)")
    NEIGHBOURHOOD = "khu_pho", _("neighbourhood (khu phố)")
    KHMER_HAMLET = "soc", _("hamlet (sóc)")
    HIGHLAND_VILLAGE = "ban", _("village (bản)")
    HIGHLAND_HAMLET = "buon", _("village (buôn)")
    VILLAGE_LANG = "lang", _("village (làng)")


#: Kinds a hamlet-level unit may have.
HAMLET_KINDS = (
    Kind.HAMLET,
    Kind.VILLAGE,
    Kind.RESIDENTIAL_GROUP,
    Kind.QUARTER,
    Kind.NEIGHBOURHOOD,
    Kind.KHMER_HAMLET,
    Kind.HIGHLAND_VILLAGE,
    Kind.HIGHLAND_HAMLET,
    Kind.VILLAGE_LANG,
)


class AreaQuerySet(models.QuerySet["Area"]):
    def under(self, area: Area | str) -> AreaQuerySet:
        """Return ``area`` and every area below it."""
        path = area if isinstance(area, str) else area.path
        return self.filter(path__under=path)

    def active(self) -> AreaQuerySet:
        return self.filter(is_active=True)

    def provinces(self) -> AreaQuerySet:
        return self.filter(level=Level.PROVINCE)

    def communes(self) -> AreaQuerySet:
        return self.filter(level=Level.COMMUNE)

    def hamlets(self) -> AreaQuerySet:
        return self.filter(level=Level.HAMLET)


class Area(models.Model):
    """A province, district, commune or hamlet, in one tree.

    Provinces and communes come from the official catalogue and keep their
    national codes; hamlets are kept by each commune, with codes unique within
    the commune. ``path`` is the chain of codes from the province down.
    """

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = PathField(_("path"), unique=True, editable=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon, in WGS 84."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Units merged or dissolved by a reform stay, inactive, with their history."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "code"], name="area_code_unique_in_parent"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(level__lte=Level.COMMUNE),
                name="area_official_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def url_path(self) -> str:
        """Return the path without its trailing "/" (for URLs and MQTT topics)."""
        return self.path.rstrip("/")

    @property
    def ancestor_paths(self) -> list[str]:
        """Return the paths of this area and every area above it, province first."""
        parts = self.path.rstrip("/").split("/")
        return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]

    def ancestors(self) -> AreaQuerySet:
        """Return the areas above this one, province first (not including itself)."""
        return Area.objects.filter(path__in=self.ancestor_paths[:-1]).order_by("level")

    def descendants(self) -> AreaQuerySet:
        """Return every area below this one (not including itself)."""
        return Area.objects.under(self).exclude(pk=self.pk)

    def contains(self, other: Area) -> bool:
        """Return True if ``other`` is this area or lies below it."""
        return other.path.startswith(self.path)

    @property
    def commune(self) -> Area | None:
        """Return the commune this area belongs to (itself for a commune)."""
        if self.level == Level.COMMUNE:
            return self
        if self.level == Level.HAMLET:
            return self.parent
        return None

    @property
    def full_name(self) -> str:
        """Return the name with its parents, e.g. "Ấp 1, Xã Tràm Chim, Đồng Tháp"."""
        names = [a.name for a in reversed(list(self.ancestors()))]
        return ", ".join([self.name, *names])
