"""``/metrics`` for Prometheus: figures read fresh from the database and the heartbeats.

Each scrape builds its own registry (no process-global state: the web process
runs several workers, and the gateway and worker are other processes, whose
counters arrive through their heartbeats, ``core/health.py``). Protected by
``GRASSROOTS_METRICS_TOKEN`` (``Authorization: Bearer …``); without a token
only loopback may read it.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from . import health

LOOPBACK = {"127.0.0.1", "::1"}
ACK_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


def allowed(request: HttpRequest) -> bool:
    token = settings.GRASSROOTS_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), token.encode())
    # Through nginx every request comes from loopback: one it forwarded
    # (X-Forwarded-For) came from outside.
    return (
        request.META.get("REMOTE_ADDR") in LOOPBACK
        and "HTTP_X_FORWARDED_FOR" not in request.META
    )


def ack_latencies(since: timedelta = timedelta(hours=24)) -> list[float]:
    """Seconds from each emergency's start to each cluster's first acknowledgement."""
    from grassroots.emergencies.models import Emergency
    from grassroots.loudspeakers.models import Ack

    started = {
        e.item_id: e.started_at
        for e in Emergency.objects.filter(started_at__gte=timezone.now() - since)
    }
    if not started:
        return []
    first: dict[tuple[str, int], float] = {}
    for ref, cluster_id, received in Ack.objects.filter(
        ref_type="emergency", ref__in=list(started)
    ).values_list("ref", "cluster_id", "received_at"):
        seconds = max(0.0, (received - started[ref]).total_seconds())
        key = (ref, cluster_id)
        first[key] = min(first.get(key, seconds), seconds)
    return list(first.values())


class Collector:
    def collect(self):
        checks = {c.name: c for c in health.status(web=False)}
        up = GaugeMetricFamily(
            "grassroots_up", "1 if the part answers its check", labels=["part"]
        )
        for name, check in checks.items():
            up.add_metric([name], 1.0 if check.ok else 0.0)
        yield up
        if checks["devices"].ok:
            online, total = health.devices_online()
            yield GaugeMetricFamily(
                "grassroots_devices_online", "Active clusters online", value=online
            )
            yield GaugeMetricFamily(
                "grassroots_devices_active", "Active clusters", value=total
            )
        if checks["queue"].ok:
            yield GaugeMetricFamily(
                "grassroots_queue_depth",
                "Jobs waiting for the worker",
                value=checks["queue"].value or 0,
            )
        drops = CounterMetricFamily(
            "grassroots_gateway_dropped",
            "Device messages the gateway dropped, by reason (since it started)",
            labels=["reason"],
        )
        gateway = health.read_beat("gateway") or {}
        for key, count in sorted((gateway.get("counts") or {}).items()):
            if key.startswith("dropped_"):
                drops.add_metric([key.removeprefix("dropped_")], float(count))
        yield drops
        failures = CounterMetricFamily(
            "grassroots_job_failures",
            "Background jobs that raised, by task (since the worker started)",
            labels=["task"],
        )
        worker = health.read_beat("worker") or {}
        for task, count in sorted((worker.get("job_failures") or {}).items()):
            failures.add_metric([task], float(count))
        yield failures
        if checks["database"].ok:
            yield from self._from_database()

    def _from_database(self):
        from grassroots.bulletins.models import ChannelDelivery, DeliveryState

        latencies = sorted(ack_latencies())
        buckets = [
            (str(bound), float(sum(1 for v in latencies if v <= bound)))
            for bound in ACK_BUCKETS
        ]
        buckets.append(("+Inf", float(len(latencies))))
        yield HistogramMetricFamily(
            "grassroots_emergency_ack_latency_seconds",
            "From an emergency's start to each cluster's acknowledgement (last 24 h)",
            buckets=buckets,
            sum_value=sum(latencies),
        )
        failed = GaugeMetricFamily(
            "grassroots_channel_events",
            "Bulletin channel events by state",
            labels=["state"],
        )
        for state in (DeliveryState.PENDING, DeliveryState.FAILED):
            failed.add_metric(
                [state], ChannelDelivery.objects.filter(state=state).count()
            )
        yield failed


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return JsonResponse(
            {"code": "forbidden", "message": "metrics: token required"}, status=403
        )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Collector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
