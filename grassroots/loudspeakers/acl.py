"""Who may use which topics: one rule set, written for Mosquitto and answered to EMQX's hooks.

A device reads its own inbound topics and the broadcast topics of its area
and every area above it, and writes only its own state and events. The web
service writes commands, schedules, configs and emergencies; the gateway
reads states and events and writes receipts. Nothing else is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from grassroots_agent.protocol import Topics, area_chain

READ, WRITE, READWRITE = "read", "write", "readwrite"


@dataclass(frozen=True)
class Rule:
    access: str
    pattern: str

    def grants(self, access: str) -> bool:
        return self.access == READWRITE or self.access == access


def device_rules(topics: Topics, device: str, area_path: str) -> list[Rule]:
    """Return the rules of one device whose area has path ``area_path``."""
    rules = [
        Rule(READ, t) for t in topics.device_inbound(device, area_chain(area_path))
    ]
    rules += [Rule(WRITE, t) for t in topics.device_outbound(device)]
    return rules


def service_rules(topics: Topics) -> dict[str, list[Rule]]:
    from .credentials import GATEWAY, WEB

    any_device = "+"
    return {
        WEB: [
            Rule(WRITE, topics.command(any_device)),
            Rule(WRITE, topics.schedule(any_device)),
            Rule(WRITE, topics.config(any_device)),
            Rule(WRITE, topics.device_emergency(any_device)),
            Rule(WRITE, f"{topics.base}/area/#"),
        ],
        GATEWAY: [
            Rule(READ, topics.state(any_device)),
            Rule(READ, topics.events(any_device)),
            Rule(WRITE, topics.command(any_device)),
            # To send a schedule again to a device that reports an older one.
            Rule(WRITE, topics.schedule(any_device)),
        ],
    }


def render(entries: Iterable[tuple[str, list[Rule]]], header: str = "") -> str:
    """Return a Mosquitto ``acl_file`` (explicit rules per user; no patterns).

    No ``pattern`` lines: those apply to every user, a revoked one still
    connected included, while per-user rules disappear with the user.
    """
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    for username, rules in entries:
        lines.append(f"user {username}")
        lines += [f"topic {rule.access} {rule.pattern}" for rule in rules]
        lines.append("")
    return "\n".join(lines) + "\n"


def matches(pattern: str, topic: str) -> bool:
    """Return True if a concrete ``topic`` falls under an ACL ``pattern``."""
    pattern_levels = pattern.split("/")
    topic_levels = topic.split("/")
    for index, level in enumerate(pattern_levels):
        if level == "#":
            return True
        if index >= len(topic_levels):
            return False
        if level != "+" and level != topic_levels[index]:
            return False
    return len(pattern_levels) == len(topic_levels)


def covers(pattern: str, topic_filter: str) -> bool:
    """Return True if every topic a subscription filter can match falls under ``pattern``."""
    pattern_levels = pattern.split("/")
    filter_levels = topic_filter.split("/")
    for index, level in enumerate(pattern_levels):
        if level == "#":
            return True
        if index >= len(filter_levels):
            return False
        wanted = filter_levels[index]
        if wanted == "#":
            return False
        if level == "+":
            continue
        if wanted == "+" or wanted != level:
            return False
    return len(pattern_levels) == len(filter_levels)


def allowed(rules: list[Rule], topic: str, access: str) -> bool:
    """Return True if ``rules`` let a client ``access`` ("read"/"write") ``topic``.

    A shared subscription ``$share/group/filter`` is checked as ``filter``.
    """
    if topic.startswith("$share/"):
        parts = topic.split("/", 2)
        if len(parts) < 3:
            return False
        topic = parts[2]
    check = covers if ("+" in topic or "#" in topic) else matches
    return any(rule.grants(access) and check(rule.pattern, topic) for rule in rules)
