"""The gateway drops malformed, oversized, unknown, impersonating and replayed messages."""

from __future__ import annotations

import json
import time

import pytest

from grassroots.loudspeakers.gateway.ingest import RATE_BURST, Ingest
from grassroots_agent.protocol import Topics

from .factories import events, play, state

T = Topics("gr")


@pytest.fixture
def ingest():
    checker = Ingest(T, lambda: {"d1": 1, "d2": 2})
    checker.refresh()
    return checker


def body(message) -> bytes:
    return json.dumps(message).encode()


def test_a_valid_state_and_batch_are_accepted(ingest):
    report = ingest.accept(T.state("d1"), body(state("d1")))
    assert report is not None and report.kind == "state" and report.cluster_id == 1
    report = ingest.accept(T.events("d1"), body(events("d1", "b1", [play("e1")])))
    assert report is not None and report.kind == "events"


@pytest.mark.parametrize(
    "topic,payload,reason",
    [
        (T.state("d1"), b"{not json", "malformed"),
        (T.state("d1"), b"\xff\xfe\x00", "malformed"),
        (T.state("d1"), b"[1, 2]", "malformed"),
        (T.state("d1"), b"x" * 70_000, "oversized"),
        (T.state("d1"), body({**state("d1"), "volume": 900}), "schema"),
        (
            T.state("d1"),
            body({**state("d1"), "extra": "<script>alert(1)</script>"}),
            "schema",
        ),
        (T.events("d1"), body(events("d1", "b", [])), "schema"),
        (
            T.events("d1"),
            body(
                events("d1", "b", [{"id": "e", "kind": "started", "at": "yesterday"}])
            ),
            "schema",
        ),
        (T.state("d1"), body(state("d2")), "impersonation"),
        (T.state("d9"), body(state("d9")), "unknown_device"),
        ("gr/v1/dev/d1/cmd", body(state("d1")), "topic"),
        ("elsewhere/x", b"{}", "topic"),
    ],
)
def test_bad_messages_are_dropped_and_counted(ingest, topic, payload, reason):
    assert ingest.accept(topic, payload) is None
    assert ingest.counts[f"dropped_{reason}"] == 1


def test_replays_are_dropped(ingest):
    message = body(state("d1", seq=4))
    assert ingest.accept(T.state("d1"), message) is not None
    assert ingest.accept(T.state("d1"), message) is None
    assert ingest.counts["dropped_replayed"] == 1
    # The broker's retained copy of the same state is expected, not an attack.
    assert ingest.accept(T.state("d1"), message, retained=True) is None
    assert ingest.counts["dropped_replayed"] == 1
    batch = body(events("d1", "b7", [play("e1")]))
    assert ingest.accept(T.events("d1"), batch) is not None
    assert ingest.accept(T.events("d1"), batch) is None
    assert ingest.counts["dropped_replayed"] == 2


def test_a_newly_provisioned_device_is_found_without_restart():
    known = {"d1": 1}
    ingest = Ingest(T, lambda: dict(known))
    ingest.refresh()
    known["d3"] = 3
    assert ingest.accept(T.state("d3"), body(state("d3"))) is None
    assert ingest.unknown == {"d3"}
    ingest.refresh()
    assert ingest.accept(T.state("d3"), body(state("d3", seq=2))) is not None


def test_a_device_beyond_its_rate_is_dropped_and_marked_others_are_not(ingest):
    sent = RATE_BURST + 40
    accepted = sum(
        ingest.accept(T.state("d1"), body(state("d1", seq=n))) is not None
        for n in range(1, sent + 1)
    )
    assert RATE_BURST <= accepted < RATE_BURST + 5
    assert ingest.counts["dropped_rate"] == sent - accepted
    assert ingest.accept(T.state("d2"), body(state("d2"))) is not None
    # Broken messages count against the device too, by reason; replays do not.
    ingest.accept(T.state("d2"), b"{not json")
    ingest.accept(T.state("d2"), body(state("d2")))
    suspicious = ingest.take_suspicious()
    assert suspicious == {"d1": {"rate": sent - accepted}, "d2": {"malformed": 1}}
    assert ingest.take_suspicious() == {}


def test_the_backlog_of_a_resumed_session_is_not_a_flood(ingest):
    ingest.backlog_until = time.monotonic() + 60
    for n in range(1, RATE_BURST * 2):
        assert ingest.accept(T.state("d1"), body(state("d1", seq=n))) is not None
    assert ingest.counts["dropped_rate"] == 0
