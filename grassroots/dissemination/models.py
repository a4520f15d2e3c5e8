"""The coverage of bulletins: what the clusters played, summed up as events arrive.

A national data set holds millions of play events; reports and indicators
never scan them. The gateway hands every stored batch to
:func:`grassroots.dissemination.coverage.absorb`, which keeps one row per
(bulletin, cluster) and one per (bulletin, area of those clusters) up to
date in the same transaction (docs/dissemination.md explains why and how it
stays exact with several gateways).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.areas.fields import PathField


class ClusterCoverage(models.Model):
    """How one cluster aired one bulletin: counts, first and last time, last failure."""

    bulletin = models.ForeignKey(
        "bulletins.Bulletin", on_delete=models.CASCADE, related_name="+"
    )
    cluster = models.ForeignKey(
        "loudspeakers.Cluster", on_delete=models.CASCADE, related_name="+"
    )
    #: The cluster's area (hamlet, or commune) when it first reported the bulletin.
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = PathField(_("area"))
    finished = models.PositiveIntegerField(_("times played to the end"), default=0)
    started = models.PositiveIntegerField(_("times started"), default=0)
    failed = models.PositiveIntegerField(_("times failed"), default=0)
    preempted = models.PositiveIntegerField(_("times interrupted"), default=0)
    first_heard_at = models.DateTimeField(_("first heard"), null=True, blank=True)
    last_heard_at = models.DateTimeField(_("last heard"), null=True, blank=True)
    last_failed_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_failure = models.CharField(_("failure"), max_length=10, blank=True)
    last_failure_reason = models.CharField(_("reason"), max_length=200, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("coverage of a cluster")
        verbose_name_plural = _("coverage of clusters")
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "cluster"], name="cluster_coverage_once"
            )
        ]
        indexes = [models.Index(fields=["bulletin", "area_path"])]

    def __str__(self) -> str:
        return f"{self.bulletin_id}@{self.cluster_id}: {self.finished}"


class AreaCoverage(models.Model):
    """One bulletin in one hamlet (or commune): the plays of its clusters added up."""

    bulletin = models.ForeignKey(
        "bulletins.Bulletin", on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = PathField(_("area"))
    clusters_heard = models.PositiveIntegerField(
        _("clusters that played it"), default=0
    )
    finished = models.PositiveIntegerField(_("times played to the end"), default=0)
    failed = models.PositiveIntegerField(_("times failed"), default=0)
    first_heard_at = models.DateTimeField(_("first heard"), null=True, blank=True)
    last_heard_at = models.DateTimeField(_("last heard"), null=True, blank=True)

    class Meta:
        verbose_name = _("coverage of an area")
        verbose_name_plural = _("coverage of areas")
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "area"], name="area_coverage_once"
            )
        ]
        indexes = [models.Index(fields=["bulletin", "area_path"])]

    def __str__(self) -> str:
        return f"{self.bulletin_id}@{self.area_id}: {self.finished}"
