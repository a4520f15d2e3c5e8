"""Every change to bulletins, the cascade inbox and peer systems.

Views, API endpoints, jobs and commands call these; each checks the scope
rule, changes the rows atomically, writes the audit log and tells the
channels on commit.
"""

from .authoring import (
    BulletinContent,
    BulletinCreateAction,
    BulletinDeleteAction,
    BulletinEditAction,
    create_bulletin,
    prepare,
    update_bulletin,
)
from .cascade import Decision, communes_reached, decide, deliver, mark_aired
from .exchange import authenticate, issue_key, receive, revoke_key, save_peer
from .lifecycle import (
    approve,
    cancel_submission,
    expire,
    expire_due,
    finish_workflow,
    publish_due,
    publish_revision,
    return_for_changes,
    submit,
    withdraw,
)

__all__ = [
    "BulletinContent",
    "BulletinCreateAction",
    "BulletinDeleteAction",
    "BulletinEditAction",
    "Decision",
    "approve",
    "authenticate",
    "cancel_submission",
    "communes_reached",
    "create_bulletin",
    "decide",
    "deliver",
    "expire",
    "expire_due",
    "finish_workflow",
    "issue_key",
    "mark_aired",
    "prepare",
    "publish_due",
    "publish_revision",
    "receive",
    "return_for_changes",
    "revoke_key",
    "save_peer",
    "submit",
    "update_bulletin",
    "withdraw",
]
