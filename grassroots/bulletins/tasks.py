"""Jobs of the bulletin library: the minute tick that ends and starts validity."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

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


@db_task(priority=90)
def deliver_channel_events(ids: list[int]) -> int:
    """Deliver channel events written by a change that just committed."""
    from . import channels

    return channels.deliver(ids)


@db_periodic_task(crontab(minute="*"))
def sweep_channel_events() -> int:
    """Deliver the channel events due again, or missed (a queue lost, a worker killed)."""
    from . import channels

    delivered = channels.deliver()
    if delivered:
        logger.info("Channel events: %s delivered by the sweep", delivered)
    return delivered
