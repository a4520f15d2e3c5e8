"""Every change to an emergency broadcast: start, update, cancel, expire.

The flow (docs/emergencies.md): the action checks scope and the second
factor, makes sure the audio exists, writes the emergency, takes its rev
for every topic it touches (an area's or a cluster's retained ``emergency``
topic), and publishes the whole active list of each topic right after the
commit — one publish per topic, never per device. The boards take over or
are released in the same transaction. Drills (``drills``) take the same
path, marked as tests.
"""

from .broadcast import (
    cancel,
    expire_due,
    republish_all_lists,
    republish_undelivered,
    start,
    update,
)
from .drills import (
    cancel_plan,
    default_title,
    next_run,
    plan_drill,
    start_drill,
    start_due_drills,
)
from .publish import audio_url, playable
from .rules import (
    MAX_GAP_S,
    MAX_TEXT,
    needs_second_factor,
    prepare_audio,
    text_of,
)

__all__ = [
    "MAX_GAP_S",
    "MAX_TEXT",
    "audio_url",
    "cancel",
    "cancel_plan",
    "default_title",
    "expire_due",
    "needs_second_factor",
    "next_run",
    "plan_drill",
    "playable",
    "prepare_audio",
    "republish_all_lists",
    "republish_undelivered",
    "start",
    "start_drill",
    "start_due_drills",
    "text_of",
    "update",
]
