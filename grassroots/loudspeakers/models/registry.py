"""Commune radio stations and their loudspeaker clusters."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.areas.models import Level

from ..credentials import SERVICE_PREFIX, reserved

#: A cluster's code is its device id: the MQTT user name and a topic segment.
CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
    _("Use letters without diacritics, digits, “-” and “_” (at most 64)."),
)


def validate_not_reserved(code: str) -> None:
    """Refuse a code that is the name, or could become the name, of a service account."""
    if reserved(code):
        raise ValidationError(
            _(
                "Codes starting with “%(prefix)s” are kept for the system's own "
                "connections to the loudspeaker server: choose another code."
            ),
            code="reserved",
            params={"prefix": SERVICE_PREFIX},
        )


def check_code(code: str) -> None:
    """Raise ValidationError unless ``code`` can be a cluster's code (its device id)."""
    CODE_VALIDATOR(code)
    validate_not_reserved(code)


class Station(models.Model):
    """A commune radio station (đài truyền thanh cấp xã): it runs the commune's clusters."""

    commune = models.OneToOneField(
        "areas.Area",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="radio_station",
        limit_choices_to={"level": Level.COMMUNE},
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("commune radio station")
        verbose_name_plural = _("commune radio stations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def area(self):
        return self.commune


class LinkKind(models.TextChoices):
    FOUR_G = "4g", _("4G")
    WIFI = "wifi", _("Wi-Fi")
    WIRED = "wired", _("wired")


class ClusterState(models.TextChoices):
    ACTIVE = "active", _("active")
    MAINTENANCE = "maintenance", _("maintenance")
    RETIRED = "retired", _("retired")


class Cluster(models.Model):
    """A loudspeaker cluster (cụm loa): one receiver and its speakers in a hamlet.

    ``code`` never changes once the cluster exists: it is the device's id on
    the broker and in its topics.
    """

    station = models.ForeignKey(
        Station,
        verbose_name=_("radio station"),
        on_delete=models.PROTECT,
        related_name="clusters",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("hamlet"),
        on_delete=models.PROTECT,
        related_name="loudspeaker_clusters",
    )
    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[CODE_VALIDATOR, validate_not_reserved],
    )
    name = models.CharField(
        _("location"),
        max_length=200,
        blank=True,
        help_text=_("Where exactly, e.g. “Ngã ba chợ, cạnh nhà văn hóa”."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    model = models.CharField(_("device model"), max_length=100, blank=True)
    firmware_version = models.CharField(
        _("firmware version"), max_length=60, blank=True
    )
    link = models.CharField(
        _("connection"),
        max_length=10,
        choices=LinkKind.choices,
        default=LinkKind.FOUR_G,
    )
    speaker_count = models.PositiveSmallIntegerField(
        _("number of speakers"), default=2, validators=[MaxValueValidator(64)]
    )
    speaker_power_w = models.PositiveIntegerField(
        _("power per speaker (W)"), default=30, validators=[MaxValueValidator(5000)]
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ClusterState.choices,
        default=ClusterState.ACTIVE,
    )
    notes = models.TextField(_("notes"), blank=True)
    # Credentials: only a hash is kept (Mosquitto's PBKDF2-SHA512 format).
    secret_hash = models.CharField(max_length=255, blank=True, editable=False)
    secret_issued_at = models.DateTimeField(
        _("credentials issued"), null=True, blank=True, editable=False
    )
    #: Revision of the retained config message (areas, heartbeat).
    config_rev = models.PositiveIntegerField(default=0, editable=False)
    #: The newest schedule version sent to the device.
    schedule_version = models.BigIntegerField(
        _("schedule version sent"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("loudspeaker cluster")
        verbose_name_plural = _("loudspeaker clusters")
        ordering = ["code"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}" if self.name else self.code

    @property
    def device_id(self) -> str:
        return self.code

    @property
    def has_credentials(self) -> bool:
        return bool(self.secret_hash)

    @property
    def power_w(self) -> int:
        return self.speaker_count * self.speaker_power_w

    @property
    def position(self) -> tuple[float, float] | None:
        """Return where to show it: its own coordinates, else its hamlet's."""
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        if self.area.latitude is not None and self.area.longitude is not None:
            return self.area.latitude, self.area.longitude
        return None


class ClusterChangeQuerySet(models.QuerySet):
    def on(self, day) -> ClusterChangeQuerySet:
        """Return the entries in force on ``day``: one per cluster registered by then."""
        return self.filter(effective_on__lte=day).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=day)
        )


class ClusterChange(models.Model):
    """One entry of a cluster's history: its state and place from a day on.

    The indicators (IP stations, clusters per station, hamlet coverage) read
    the state on the last day of a past period from here, not from the
    cluster's current row. An entry holds from ``effective_on`` up to the day
    before ``ended_on`` (the next entry's first day); the current one has no
    ``ended_on``, so "on day D" is a simple range filter.
    """

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="changes"
    )
    effective_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ClusterState.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    commune = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ClusterChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("cluster history entry")
        verbose_name_plural = _("cluster history")
        ordering = ["cluster", "effective_on", "pk"]
        indexes = [
            models.Index(fields=["effective_on", "ended_on"], name="cluster_change_day")
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} {self.effective_on} {self.state}"
