"""Occurrences of a schedule: once, daily, weekly, or any RFC 5545 recurrence.

Times are local (``settings.TIME_ZONE``, Asia/Ho_Chi_Minh: no daylight saving,
so 06:00 is always 06:00); the rule is expanded in local wall time and each
occurrence is returned as an aware datetime.
"""

from __future__ import annotations

import datetime
import zoneinfo

from dateutil import rrule as du
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import ProgrammeSchedule, Rule

#: Never expand more occurrences than this for one schedule and window.
MAX_OCCURRENCES = 2000


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def parse_rrule(text: str, dtstart: datetime.datetime) -> du.rrule:
    """Return the rule ``text`` (with or without "RRULE:"), or a Vietnamese error.

    ``dtstart`` is naive local wall time: the rule is expanded in local time.
    """
    body = (text or "").strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body or "\n" in body:
        raise ValidationError(_("Write one recurrence rule, e.g. FREQ=DAILY;COUNT=5."))
    try:
        rule = du.rrulestr(body, dtstart=dtstart, forceset=False, ignoretz=True)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError(
            _("The recurrence rule is not valid: %(detail)s") % {"detail": exc}
        ) from None
    if not isinstance(rule, du.rrule):
        raise ValidationError(_("Write one recurrence rule, e.g. FREQ=DAILY;COUNT=5."))
    return rule


def _rule_for(schedule: ProgrammeSchedule) -> du.rrule | None:
    first = datetime.datetime.combine(schedule.starts_on, schedule.at)
    until = (
        datetime.datetime.combine(schedule.ends_on, datetime.time(23, 59, 59))
        if schedule.ends_on
        else None
    )
    if schedule.rule == Rule.ONCE:
        return None
    if schedule.rule == Rule.DAILY:
        return du.rrule(du.DAILY, dtstart=first, until=until)
    if schedule.rule == Rule.WEEKLY:
        days = schedule.weekday_list or [schedule.starts_on.weekday()]
        return du.rrule(du.WEEKLY, dtstart=first, until=until, byweekday=days)
    return parse_rrule(schedule.rrule, first)


def occurrences(
    schedule: ProgrammeSchedule,
    start: datetime.datetime,
    end: datetime.datetime,
) -> list[datetime.datetime]:
    """Return the aware start times of ``schedule`` in ``[start, end)``."""
    zone = local_zone()
    first = datetime.datetime.combine(schedule.starts_on, schedule.at)
    lo = start.astimezone(zone).replace(tzinfo=None)
    hi = end.astimezone(zone).replace(tzinfo=None)
    rule = _rule_for(schedule)
    if rule is None:
        found = [first] if lo <= first < hi else []
    else:
        found = []
        for when in rule.xafter(lo, inc=True):
            if when >= hi or len(found) >= MAX_OCCURRENCES:
                break
            if schedule.ends_on and when.date() > schedule.ends_on:
                break
            found.append(when)
    return [w.replace(tzinfo=zone) for w in found]


def overlap(
    a_start: datetime.datetime,
    a_length: datetime.timedelta,
    b_start: datetime.datetime,
    b_length: datetime.timedelta,
) -> bool:
    """Return True if two airings share any second (a zero length counts as one minute)."""
    minute = datetime.timedelta(minutes=1)
    a_end = a_start + max(a_length, minute)
    b_end = b_start + max(b_length, minute)
    return a_start < b_end and b_start < a_end


# Marked for the catalogue here, translated where used (``describe_rrule``).
_FREQ = {
    "MINUTELY": (gettext_noop("every minute"), gettext_noop("every %(n)s minutes")),
    "HOURLY": (gettext_noop("every hour"), gettext_noop("every %(n)s hours")),
    "DAILY": (gettext_noop("every day"), gettext_noop("every %(n)s days")),
    "WEEKLY": (gettext_noop("every week"), gettext_noop("every %(n)s weeks")),
    "MONTHLY": (gettext_noop("every month"), gettext_noop("every %(n)s months")),
    "YEARLY": (gettext_noop("every year"), gettext_noop("every %(n)s years")),
}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def describe_rrule(text: str) -> str:
    """Say a recurrence rule in plain words: staff never read ``FREQ=...``.

    Covers what the console offers (frequency, interval, days, hours,
    minutes, count, end date); anything else is summed up as "custom".
    """
    from .forms import WEEKDAYS

    body = (text or "").strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for piece in body.split(";"):
        key, _sep, value = piece.partition("=")
        parts[key.strip().upper()] = value.strip().upper()
    freq = _FREQ.get(parts.get("FREQ", ""))
    if freq is None:
        return _("custom repetition")
    try:
        interval = int(parts.get("INTERVAL") or 1)
    except ValueError:
        interval = 1
    words = [_(freq[0]) if interval == 1 else _(freq[1]) % {"n": interval}]
    names = dict(WEEKDAYS)
    if parts.get("BYDAY"):
        days = [
            str(names[str(_DAYS.index(d[-2:]))])
            for d in parts["BYDAY"].split(",")
            if d[-2:] in _DAYS
        ]
        if days:
            words.append(_("on %(days)s") % {"days": ", ".join(days)})
    if parts.get("BYHOUR"):
        words.append(
            _("at hour %(hours)s") % {"hours": parts["BYHOUR"].replace(",", ", ")}
        )
    if parts.get("BYMINUTE"):
        words.append(
            _("at minute %(minutes)s")
            % {"minutes": parts["BYMINUTE"].replace(",", ", ")}
        )
    if parts.get("COUNT"):
        words.append(_("%(n)s times") % {"n": parts["COUNT"]})
    known = {
        "FREQ",
        "INTERVAL",
        "BYDAY",
        "BYHOUR",
        "BYMINUTE",
        "COUNT",
        "UNTIL",
        "WKST",
        "",
    }
    if set(parts) - known:
        words.append(_("with other conditions"))
    text_out = ", ".join(words)
    return text_out[:1].upper() + text_out[1:]
