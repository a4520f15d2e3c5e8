from .attachment import Attachment, AttachmentKind
from .bulletin import Bulletin, Channel, Level, Status
from .category import Category
from .exchange import ApiKey, PeerSystem
from .inbox import InboxItem, InboxState
from .outbox import ChannelDelivery, DeliveryState
from .tasks import AreaApprovalTask

__all__ = [
    "ApiKey",
    "AreaApprovalTask",
    "Attachment",
    "AttachmentKind",
    "Bulletin",
    "Category",
    "Channel",
    "ChannelDelivery",
    "DeliveryState",
    "InboxItem",
    "InboxState",
    "Level",
    "PeerSystem",
    "Status",
]
