"""Polling a source's CAP feed over HTTP: new alerts received once, problems kept."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from grassroots.cap import polling
from grassroots.cap.models import CapSource, Outcome, ReceivedAlert

from . import samples

pytestmark = pytest.mark.django_db


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path):
    """A real HTTP server over a folder of the test's own."""
    handler = partial(Quiet, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _atom(base: str, names: list[str]) -> bytes:
    entries = "".join(
        f"<entry><id>urn:{n}</id><title>{n}</title><updated>{samples.t()}</updated>"
        f'<link rel="alternate" type="application/cap+xml" href="{base}/{n}"/></entry>'
        for n in names
    )
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:feed</id>'
        f"<title>KTTV</title><updated>{samples.t()}</updated>{entries}</feed>"
    ).encode()


def test_a_feed_is_polled_and_each_alert_received_once(served, source, dong_thap):
    folder, base = served
    (folder / "storm.xml").write_bytes(samples.storm())
    (folder / "flood.xml").write_bytes(samples.flood())
    (folder / "bomb.xml").write_bytes(samples.BILLION_LAUGHS)
    (folder / "feed.atom").write_bytes(
        _atom(base, ["storm.xml", "flood.xml", "bomb.xml"])
    )
    CapSource.objects.filter(pk=source.pk).update(feed_url=f"{base}/feed.atom")
    assert polling.poll_due() == 3
    outcomes = dict(ReceivedAlert.objects.values_list("url", "outcome"))
    assert outcomes == {
        f"{base}/storm.xml": Outcome.WAITING,
        f"{base}/flood.xml": Outcome.WAITING,
        f"{base}/bomb.xml": Outcome.REFUSED,
    }
    assert all(a.via == "poll" for a in ReceivedAlert.objects.all())
    # Not due again within the minute; polled again, nothing is fetched twice.
    assert polling.poll_due() == 0
    assert polling.poll(CapSource.objects.get(pk=source.pk)) == 0
    assert ReceivedAlert.objects.count() == 3
    assert CapSource.objects.get(pk=source.pk).last_poll_error == ""


def test_an_rss_feed_is_read_too(served, source):
    folder, base = served
    (folder / "storm.xml").write_bytes(samples.storm())
    (folder / "feed.rss").write_bytes(
        f'<rss version="2.0"><channel><title>KTTV</title>'
        f"<item><title>Bão</title><link>{base}/storm.xml</link></item>"
        f"</channel></rss>".encode()
    )
    CapSource.objects.filter(pk=source.pk).update(feed_url=f"{base}/feed.rss")
    assert polling.poll(CapSource.objects.get(pk=source.pk)) == 1


def test_an_unreachable_or_hostile_feed_is_kept_as_the_sources_problem(served, source):
    folder, base = served
    CapSource.objects.filter(pk=source.pk).update(feed_url=f"{base}/missing.atom")
    assert polling.poll(CapSource.objects.get(pk=source.pk)) == 0
    assert "404" in CapSource.objects.get(pk=source.pk).last_poll_error
    (folder / "bomb.atom").write_bytes(samples.BILLION_LAUGHS)
    CapSource.objects.filter(pk=source.pk).update(feed_url=f"{base}/bomb.atom")
    assert polling.poll(CapSource.objects.get(pk=source.pk)) == 0
    assert "DTD" in CapSource.objects.get(pk=source.pk).last_poll_error
    assert not ReceivedAlert.objects.exists()


def test_a_feed_cannot_make_the_server_fetch_addresses_on_other_servers(served, source):
    folder, base = served
    (folder / "storm.xml").write_bytes(samples.storm())
    elsewhere = "http://127.0.0.1:1/internal/storm.xml"
    (folder / "feed.atom").write_bytes(
        _atom(base, ["storm.xml"]).replace(
            b"</feed>",
            b'<entry><id>urn:x</id><title>x</title><link rel="alternate" '
            b'type="application/cap+xml" href="' + elsewhere.encode() + b'"/>'
            b"</entry></feed>",
        )
    )
    CapSource.objects.filter(pk=source.pk).update(feed_url=f"{base}/feed.atom")
    assert polling.poll(CapSource.objects.get(pk=source.pk)) == 1
    assert list(ReceivedAlert.objects.values_list("url", flat=True)) == [
        f"{base}/storm.xml"
    ]
    assert elsewhere in CapSource.objects.get(pk=source.pk).last_poll_error
