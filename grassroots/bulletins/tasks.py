"""Jobs of the bulletin library: the minute tick that ends and starts validity."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def tick() -> None:
    """Expire what has passed, then publish approved bulletins that became valid.

    Expiry goes first so that a bulletin whose whole validity passed while the
    worker was down is never sent out. The portal also filters by the dates
    when it reads, so citizens never see an expired bulletin in between.
    """
    expired = actions.expire_due()
    published = actions.publish_due()
    if expired or published:
        logger.info("Bulletins: %s expired, %s published", expired, published)
