"""CAP 1.2 warnings: the sources that send them, what became of each, what went out.

A source is a peer system (its API keys are the peer's, hashed at rest and
issued or revoked in the peer systems' console) with CAP settings: a feed
to poll, whether its alerts must be signed and with which certificate, and
a policy per event saying what an alert becomes here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Policy(models.TextChoices):
    """What an accepted alert becomes; airing without a person is never a default."""

    EMERGENCY_DRAFT = (
        "emergency_draft",
        _("emergency, waiting for one confirmation with the second factor"),
    )
    PRIORITY = "priority", _("priority bulletin, for approval")
    INFORMATION = "information", _("information only")
    EMERGENCY_AUTO = "emergency_auto", _("emergency, aired at once without a person")


class CapSource(models.Model):
    """A warning service that pushes CAP alerts in, or whose feed is polled."""

    peer = models.OneToOneField(
        "bulletins.PeerSystem",
        verbose_name=_("peer system"),
        on_delete=models.PROTECT,
        related_name="cap_source",
        help_text=_("Its API keys and its area are the peer system's."),
    )
    feed_url = models.URLField(
        _("CAP feed (Atom or RSS)"),
        blank=True,
        help_text=_("Polled on a schedule; leave empty for a source that pushes."),
    )
    poll_minutes = models.PositiveSmallIntegerField(
        _("poll every (minutes)"), default=1
    )
    require_signature = models.BooleanField(_("alerts must be signed"), default=False)
    certificate = models.TextField(
        _("signing certificate (PEM)"),
        blank=True,
        help_text=_("The source's X.509 certificate its signatures are checked with."),
    )
    category = models.ForeignKey(
        "bulletins.Category",
        verbose_name=_("category of the bulletins made"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_policy = models.CharField(
        _("policy for other events"),
        max_length=20,
        choices=[(p.value, p.label) for p in Policy if p is not Policy.EMERGENCY_AUTO],
        default=Policy.EMERGENCY_DRAFT,
    )
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_poll_error = models.CharField(
        _("last poll problem"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("CAP source")
        verbose_name_plural = _("CAP sources")
        ordering = ["peer__name"]

    def __str__(self) -> str:
        return self.peer.name

    def policy_for(self, event: str) -> str:
        """Return the policy of ``event`` (case and spaces ignored), else the default."""
        wanted = " ".join(event.split()).casefold()
        for rule in self.policies.all():
            if " ".join(rule.event.split()).casefold() == wanted:
                return rule.policy
        return self.default_policy


class EventPolicy(models.Model):
    """The policy of one event of one source (e.g. "Bão" → emergency draft)."""

    source = models.ForeignKey(
        CapSource,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="policies",
    )
    event = models.CharField(_("event"), max_length=200)
    policy = models.CharField(_("policy"), max_length=20, choices=Policy.choices)

    class Meta:
        verbose_name = _("event policy")
        verbose_name_plural = _("event policies")
        ordering = ["source", "event"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "event"], name="cap_policy_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.event}"


class Outcome(models.TextChoices):
    REFUSED = "refused", _("refused")
    WAITING = "waiting", _("waiting for confirmation")
    FOR_APPROVAL = "for_approval", _("bulletin sent for approval")
    TRANSLATION = "translation", _("draft, to be translated")
    INFORMATION = "information", _("information only")
    AIRED = "aired", _("on the air")
    UPDATED = "updated", _("update applied")
    CANCELLED = "cancelled", _("cancelled by the source")
    SUPERSEDED = "superseded", _("replaced by a newer message")
    DISMISSED = "dismissed", _("set aside by a person")


class ReceivedAlert(models.Model):
    """One CAP message received, accepted or refused, and what it became."""

    source = models.ForeignKey(
        CapSource,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    #: The deepest area holding every mapped area (the source's own when
    #: nothing mapped): who sees the alert in the console.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    via = models.CharField(_("received by"), max_length=10, default="push")
    #: The feed's link it was fetched from (polling only).
    url = models.CharField(_("address"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=Outcome.choices, db_index=True
    )
    #: Why it was refused, as a stable code (``invalid``, ``expired``, …).
    code = models.CharField(_("refusal code"), max_length=30, blank=True)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)
    identifier = models.CharField(_("identifier"), max_length=255, blank=True)
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    sent = models.DateTimeField(_("sent at"), null=True, blank=True)
    msg_type = models.CharField(_("message type"), max_length=10, blank=True)
    status = models.CharField(_("CAP status"), max_length=10, blank=True)
    event = models.CharField(_("event"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    headline = models.CharField(_("headline"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    severity = models.CharField(_("severity"), max_length=20, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    policy = models.CharField(
        _("policy"), max_length=20, choices=Policy.choices, blank=True
    )
    #: The alert's areas as drawn: {"polygons": [[[lat, lon], ...]],
    #: "circles": [[lat, lon, km]], "geocodes": [[name, value]], "unknown": [...]}.
    shapes = models.JSONField(_("areas as sent"), default=dict, blank=True)
    areas = models.ManyToManyField(
        "areas.Area", verbose_name=_("mapped areas"), blank=True, related_name="+"
    )
    signed = models.BooleanField(_("signature checked"), default=False)
    #: The message as received (up to the size limit), for the record.
    xml = models.TextField(_("message as received"), blank=True)
    #: The alert this one updates or cancels (CAP ``references``).
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("updates"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
    )
    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        verbose_name=_("bulletin"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("received CAP warning")
        verbose_name_plural = _("received CAP warnings")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["sender", "identifier"], name="cap_alert_key"),
        ]

    def __str__(self) -> str:
        return self.headline or self.event or self.identifier or str(self.pk)

    @property
    def is_waiting(self) -> bool:
        return self.outcome == Outcome.WAITING


class Kind(models.TextChoices):
    EMERGENCY = "emergency", _("emergency broadcast")
    BULLETIN = "bulletin", _("priority bulletin")


class OutboundAlert(models.Model):
    """One CAP message this installation published, signed, as served.

    Each version of an emergency or priority bulletin gets its own message:
    the first is an Alert, later ones Update or Cancel, each referencing the
    ones before. ``version`` is what changed (rev and state) so a version is
    published once.
    """

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    version = models.CharField(max_length=100)
    identifier = models.CharField(max_length=255, unique=True)
    sent = models.DateTimeField()
    msg_type = models.CharField(max_length=10)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", null=True
    )
    headline = models.CharField(max_length=255, blank=True)
    xml = models.TextField()

    class Meta:
        ordering = ["-sent", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "version"], name="cap_out_version_unique"
            )
        ]

    def __str__(self) -> str:
        return self.identifier
