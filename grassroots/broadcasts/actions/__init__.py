"""Every change to programmes and schedules, and "play now".

Each action checks the scope (an operator acts only within their area), makes
the change, audits it, and asks for the affected clusters' schedules to be
compiled again once the transaction commits (``request_compile``).
"""

from ..models import ClusterGroup, ProgrammeItem, ProgrammeSchedule
from ._common import compile_pending, request_compile
from .airing import (
    audio_ready,
    communes_of,
    next_slot,
    play_now,
    queue_bulletin,
    refresh_bulletin,
    slot_times,
    take_off_air,
)
from .programmes import (
    bulletin_text,
    delete_group,
    delete_item,
    prepare_audio,
    save_group,
    save_item,
)
from .schedules import (
    CLASH_HORIZON,
    SCHEDULE_FIELDS,
    Clash,
    ClashError,
    delete_schedule,
    find_clashes,
    save_schedule,
    set_schedule_active,
)

__all__ = [
    "CLASH_HORIZON",
    "SCHEDULE_FIELDS",
    "Clash",
    "ClashError",
    "ClusterGroup",
    "ProgrammeItem",
    "ProgrammeSchedule",
    "audio_ready",
    "bulletin_text",
    "communes_of",
    "compile_pending",
    "delete_group",
    "delete_item",
    "delete_schedule",
    "find_clashes",
    "next_slot",
    "play_now",
    "prepare_audio",
    "queue_bulletin",
    "refresh_bulletin",
    "request_compile",
    "save_group",
    "save_item",
    "save_schedule",
    "set_schedule_active",
    "slot_times",
    "take_off_air",
]
