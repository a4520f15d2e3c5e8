"""What devices report, written by the gateway: status, acknowledgements, play events, history."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .registry import Cluster


class ClusterStatus(models.Model):
    """The latest state a cluster reported; one row per cluster, updated in batches.

    ``boot``/``conn``/``seq`` order the device's messages so that a replayed
    or late one never overwrites a newer state (docs/protocol.md).
    """

    cluster = models.OneToOneField(
        Cluster, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    online = models.BooleanField(_("online"), default=False)
    since = models.DateTimeField(_("since"), null=True, blank=True)
    offline_reason = models.CharField(_("offline because"), max_length=20, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    boot = models.CharField(max_length=64, blank=True)
    conn = models.IntegerField(default=0)
    seq = models.BigIntegerField(default=0)
    reported_at = models.DateTimeField(_("device time"), null=True, blank=True)
    playing = models.JSONField(_("playing"), null=True, blank=True)
    volume = models.SmallIntegerField(_("volume"), null=True, blank=True)
    power = models.CharField(_("power"), max_length=8, blank=True)
    amplifier = models.CharField(_("amplifier"), max_length=10, blank=True)
    temperature_c = models.FloatField(_("temperature (°C)"), null=True, blank=True)
    signal = models.JSONField(_("signal"), null=True, blank=True)
    firmware = models.CharField(_("firmware"), max_length=60, blank=True)
    storage_free_mb = models.FloatField(_("free storage (MB)"), null=True, blank=True)
    clock_offset_ms = models.FloatField(_("clock offset (ms)"), null=True, blank=True)
    schedule_version = models.BigIntegerField(
        _("schedule version held"), null=True, blank=True
    )
    schedule_ready = models.BooleanField(
        _("schedule audio ready"), null=True, blank=True
    )
    emergencies = models.JSONField(_("emergencies playing"), default=list, blank=True)
    buffered_events = models.IntegerField(_("events waiting"), null=True, blank=True)
    uptime_s = models.FloatField(_("uptime (s)"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("offline alert raised"), null=True, blank=True)

    class Meta:
        verbose_name = _("cluster status")
        verbose_name_plural = _("cluster statuses")
        indexes = [models.Index(fields=["online", "since"])]

    def __str__(self) -> str:
        return f"{self.cluster_id}: {'online' if self.online else 'offline'}"


class Ack(models.Model):
    """A device's acknowledgement of a command, schedule version, emergency or config.

    Unique per (cluster, kind, reference, version): an acknowledgement sent
    again after a reconnection is stored once.
    """

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="acks")
    ref_type = models.CharField(_("acknowledges"), max_length=12)
    ref = models.CharField(_("reference"), max_length=64)
    version = models.BigIntegerField(default=0)
    status = models.CharField(_("status"), max_length=12)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    at = models.DateTimeField(_("device time"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "ref_type", "ref", "version"], name="ack_once"
            )
        ]
        indexes = [models.Index(fields=["ref_type", "ref"])]

    def __str__(self) -> str:
        return f"{self.cluster_id} {self.ref_type} {self.ref}: {self.status}"


class PlayEvent(models.Model):
    """Proof of play: something started, finished, failed or was pre-empted on a cluster.

    ``event_id`` is the device's unique id for the event: stored once however
    often the device sends it (after a reconnection, a lost receipt).
    """

    class Kind(models.TextChoices):
        STARTED = "started", _("started")
        FINISHED = "finished", pgettext_lazy("playback", "finished")
        FAILED = "failed", _("failed")
        PREEMPTED = "preempted", _("pre-empted")

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="play_events"
    )
    event_id = models.CharField(max_length=64)
    kind = models.CharField(_("what happened"), max_length=10, choices=Kind.choices)
    item = models.CharField(_("item"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10)
    priority = models.CharField(_("priority"), max_length=10, blank=True)
    schedule_version = models.BigIntegerField(null=True, blank=True)
    occurrence = models.PositiveSmallIntegerField(default=1)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    at = models.DateTimeField(_("when"))
    position_s = models.FloatField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    command = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("play event")
        verbose_name_plural = _("play events")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "event_id"], name="play_event_once"
            )
        ]
        indexes = [models.Index(fields=["cluster", "at"])]

    def __str__(self) -> str:
        return f"{self.cluster_id} {self.kind} {self.item}"


class LogKind(models.TextChoices):
    ONLINE = "online", _("came online")
    OFFLINE = "offline", _("went offline")
    ALERT = "alert", _("offline alert")
    ALARM = "alarm", _("device alarm")
    SCHEDULE = "schedule", _("schedule")
    COMMAND = "command", _("command")
    CREDENTIALS = "credentials", _("credentials")
    REGISTRY = "registry", _("registry")


class ClusterLog(models.Model):
    """The history shown on a cluster's page: transitions, alarms, alerts, changes."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=12, choices=LogKind.choices)
    message = models.CharField(pgettext_lazy("content", "what"), max_length=255)
    data = models.JSONField(default=dict, blank=True)
    #: The device's event id, for entries that come from device events.
    event_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("cluster history entry")
        verbose_name_plural = _("cluster history")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cluster", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "event_id"],
                condition=~models.Q(event_id=""),
                name="cluster_log_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.message}"
