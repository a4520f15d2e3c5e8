"""Receipts wait while an emergency's acknowledgements pour in, and only then."""

from grassroots.loudspeakers.gateway.pacing import ReceiptPacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_receipts_go_at_once_outside_an_emergency():
    pacer = ReceiptPacer(clock=Clock())
    pacer.add(["r1", "r2"])
    assert pacer.due() == ["r1", "r2"] and pacer.due() == []


def test_receipts_wait_for_the_acks_to_stop_but_not_for_ever():
    clock = Clock()
    pacer = ReceiptPacer(quiet_s=0.5, max_hold_s=4.0, clock=clock)
    pacer.urgent()
    pacer.add(["r1"])
    clock.now += 0.3
    pacer.urgent()
    pacer.add(["r2"])
    assert pacer.due() == []
    clock.now += 0.6
    assert pacer.due() == ["r1", "r2"]
    # A flood that never stops still gets its receipts within max_hold_s.
    pacer.add(["r3"])
    sent = []
    while not sent:
        clock.now += 0.45
        pacer.urgent()
        sent = pacer.due()
    assert sent == ["r3"] and 4.0 <= clock.now - 100.9 < 4.0 + 0.45
    pacer.urgent()
    pacer.add(["r4"])
    assert pacer.due(flush=True) == ["r4"]
