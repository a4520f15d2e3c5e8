"""Login lockout with two limits: per account and address, and per account.

django-axes compares every lockout parameter with one limit. Five failures
from one address lock that address out of the account; an attacker spreading
guesses over many addresses is stopped by a higher limit on the account
itself (``GRASSROOTS_LOGIN_ACCOUNT_FAILURE_LIMIT``), after which even the
right password is refused everywhere until the cool-off ends.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def _count(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, reading ``AXES_LOCKOUT_PARAMETERS`` as
    ``[["username", "ip_address"], "username"]`` with a limit each."""

    def get_failures(self, request, credentials=None) -> int:
        """Return the failures as axes compares them with ``AXES_FAILURE_LIMIT``.

        The account-wide count reaches that limit only once it reaches its
        own, higher one; below it, it never locks by itself.
        """
        per_address, *per_account = self.get_user_attempts(request, credentials)
        limit = get_failure_limit(request, credentials)
        failures = _count(per_address)
        if per_account:
            account = _count(per_account[0])
            if account >= settings.GRASSROOTS_LOGIN_ACCOUNT_FAILURE_LIMIT:
                failures = max(failures, limit)
        return failures
