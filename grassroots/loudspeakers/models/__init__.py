"""The loudspeaker fleet: the registry, what devices report, and what was sent to them."""

from .broker import BrokerSync
from .live import Ack, ClusterLog, ClusterStatus, LogKind, PlayEvent
from .registry import Cluster, ClusterChange, ClusterState, LinkKind, Station
from .traffic import Command, CommandAction, Schedule

__all__ = [
    "Ack",
    "BrokerSync",
    "Cluster",
    "ClusterChange",
    "ClusterLog",
    "ClusterState",
    "ClusterStatus",
    "Command",
    "CommandAction",
    "LinkKind",
    "LogKind",
    "PlayEvent",
    "Schedule",
    "Station",
]
