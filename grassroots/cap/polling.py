"""Polling a source's CAP feed (Atom or RSS): each new alert it links to is received.

The feed and each alert are read with the same limits as a push (size,
no DTD, no network from the parser). A link already fetched from this
source is not fetched again, whatever became of it; the feed's own
problem (unreachable, not a feed) is kept on the source for the console.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from grassroots.accounts import audit

from . import actions, xmlcap
from .models import CapSource, ReceivedAlert

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
TIMEOUT_S = 10
#: At most this many new alerts are fetched from one feed per poll.
MAX_ENTRIES = 50


class FeedError(Exception):
    pass


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme, (parts.hostname or "").lower(), port


def same_origin(feed_url: str, link: str) -> bool:
    """Whether ``link`` is on the feed's own server (scheme, host and port).

    A feed is trusted to name its own alerts, not to make this server fetch
    addresses elsewhere (an internal service, say) on its behalf.
    """
    return _origin(link) == _origin(feed_url)


def fetch(url: str) -> bytes:
    """Return the body at ``url``, refusing more than the size limit."""
    if not url.startswith(("http://", "https://")):
        raise FeedError(_("Only http and https addresses are fetched."))
    try:
        with requests.get(url, timeout=TIMEOUT_S, stream=True) as response:
            response.raise_for_status()
            body = b""
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > xmlcap.MAX_BYTES:
                    raise FeedError(_("The answer is larger than the size limit."))
            return body
    except requests.RequestException as exc:
        raise FeedError(str(exc)[:300]) from None


def entries(feed: bytes) -> list[tuple[str, bytes | None]]:
    """Return (link, embedded alert or None) for each entry of an Atom or RSS feed."""
    try:
        root = xmlcap.parse(feed)
    except xmlcap.Refused as exc:
        raise FeedError(exc.message) from None
    found: list[tuple[str, bytes | None]] = []
    embedded_tag = f"{{{xmlcap.CAP_NS}}}alert"
    if root.tag == f"{ATOM}feed":
        for entry in root.findall(f"{ATOM}entry"):
            embedded = entry.find(f".//{embedded_tag}")
            links = entry.findall(f"{ATOM}link")
            cap_links = [
                link.get("href", "")
                for link in links
                if "cap" in (link.get("type") or "") or link.get("rel") == "alternate"
            ] or [link.get("href", "") for link in links]
            key = (entry.findtext(f"{ATOM}id") or "").strip()
            href = next((h for h in cap_links if h), "")
            if embedded is not None:
                found.append((href or key, etree.tostring(embedded)))
            elif href:
                found.append((href, None))
    elif root.tag == "rss":
        for item in root.iter("item"):
            link = (item.findtext("link") or "").strip()
            enclosure = item.find("enclosure")
            if not link and enclosure is not None:
                link = enclosure.get("url", "")
            if link:
                found.append((link, None))
    else:
        raise FeedError(_("This is neither an Atom nor an RSS feed."))
    return found


def poll(source: CapSource) -> int:
    """Fetch the source's feed and receive every alert not fetched before; return how many."""
    count = 0
    problem = ""
    try:
        links = entries(fetch(source.feed_url))
        seen = set(
            ReceivedAlert.objects.filter(source=source, via="poll").values_list(
                "url", flat=True
            )
        )
        fresh = [(link, body) for link, body in links if link not in seen]
        for link, body in fresh[:MAX_ENTRIES]:
            if body is None and not same_origin(source.feed_url, link):
                problem = _(
                    "%(link)s: not on the feed's own server, so not fetched."
                ) % {"link": link[:200]}
                continue
            try:
                raw = body if body is not None else fetch(link)
            except FeedError as exc:
                problem = _("%(link)s: %(e)s") % {"link": link[:200], "e": exc}
                continue
            with audit.acting_as(audit.Origin(source=audit.Source.WORKER)):
                record = actions.receive(source, raw, via="poll")
            ReceivedAlert.objects.filter(pk=record.pk).update(url=link[:500])
            count += 1
    except FeedError as exc:
        problem = str(exc)
        logger.warning("CAP feed of %s: %s", source, exc)
    CapSource.objects.filter(pk=source.pk).update(
        last_polled_at=timezone.now(), last_poll_error=problem[:500]
    )
    return count


def poll_due() -> int:
    """Poll every source whose feed is due; return how many alerts were received."""
    now = timezone.now()
    total = 0
    for source in CapSource.objects.exclude(feed_url="").select_related("peer"):
        if not source.peer.is_active:
            continue
        due = source.last_polled_at is None or (
            now - source.last_polled_at
            >= timedelta(minutes=source.poll_minutes) - timedelta(seconds=5)
        )
        if due:
            total += poll(source)
    return total
