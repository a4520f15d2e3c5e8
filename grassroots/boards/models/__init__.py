from .board import (
    ONLINE_WINDOW_S,
    Board,
    BoardChange,
    BoardState,
    BoardStatus,
    Orientation,
    Place,
    new_token,
)
from .content import ALL_WEEKDAYS, WEEKDAYS, AllowedOrigin, BoardItem, ItemKind
from .proof import BulletinDisplay, DisplayEvent, ShownKind
from .push import Match, PushEvent, PushKind
from .takeover import Takeover, TakeoverSource

__all__ = [
    "ALL_WEEKDAYS",
    "AllowedOrigin",
    "Board",
    "BoardChange",
    "BoardItem",
    "BoardState",
    "BoardStatus",
    "BulletinDisplay",
    "DisplayEvent",
    "ItemKind",
    "Match",
    "ONLINE_WINDOW_S",
    "Orientation",
    "Place",
    "PushEvent",
    "PushKind",
    "ShownKind",
    "Takeover",
    "TakeoverSource",
    "WEEKDAYS",
    "new_token",
]
