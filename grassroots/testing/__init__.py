"""Builders for tests: areas, staff with roles, and the shared scope harness."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from grassroots.accounts import actions as account_actions
from grassroots.accounts.models import User
from grassroots.areas.models import Area, Kind, Level

PASSWORD = "correct-horse-battery"  # noqa: S105 - test accounts only
_counter = itertools.count(1)


def make_area(
    parent: Area | None = None,
    *,
    code: str | None = None,
    name: str | None = None,
    level: int | None = None,
    kind: str | None = None,
    **extra,
) -> Area:
    """Return a new area under ``parent`` (a province when ``parent`` is None)."""
    n = next(_counter)
    if level is None:
        level = (
            Level.PROVINCE
            if parent is None
            else {
                Level.PROVINCE: Level.COMMUNE,
                Level.DISTRICT: Level.COMMUNE,
                Level.COMMUNE: Level.HAMLET,
            }[Level(parent.level)]
        )
    code = code or (f"T{n}" if level != Level.HAMLET else f"H{n}")
    default_kind = {
        Level.PROVINCE: Kind.PROVINCE,
        Level.DISTRICT: Kind.DISTRICT,
        Level.COMMUNE: Kind.COMMUNE,
        Level.HAMLET: Kind.HAMLET,
    }[Level(level)]
    return Area.objects.create(
        parent=parent,
        code=code,
        name=name or f"{default_kind.label} {n}",
        kind=kind or default_kind,
        level=level,
        path=f"{parent.path if parent else ''}{code}/",
        **extra,
    )


@dataclass
class Tree:
    """A province with two communes, each with two hamlets, and a second province."""

    province: Area
    commune_a: Area
    commune_b: Area
    hamlet_a1: Area
    hamlet_a2: Area
    hamlet_b1: Area
    hamlet_b2: Area
    other_province: Area
    other_commune: Area

    @property
    def areas(self) -> list[Area]:
        return [
            self.province,
            self.commune_a,
            self.commune_b,
            self.hamlet_a1,
            self.hamlet_a2,
            self.hamlet_b1,
            self.hamlet_b2,
            self.other_province,
            self.other_commune,
        ]


def make_tree() -> Tree:
    province = make_area(name="Tỉnh Thử Nghiệm")
    commune_a = make_area(province, name="Xã An Bình")
    commune_b = make_area(province, name="Phường Tân Mỹ")
    other = make_area(name="Tỉnh Khác")
    return Tree(
        province=province,
        commune_a=commune_a,
        commune_b=commune_b,
        hamlet_a1=make_area(commune_a, name="Ấp Một"),
        hamlet_a2=make_area(commune_a, name="Ấp Hai"),
        hamlet_b1=make_area(commune_b, name="Khóm Ba"),
        hamlet_b2=make_area(commune_b, name="Khóm Bốn"),
        other_province=other,
        other_commune=make_area(other, name="Xã Ngoài"),
    )


def make_user(
    role: str | None = None,
    area: Area | None = None,
    *,
    username: str | None = None,
    **fields,
) -> User:
    """Return an active staff account holding ``role`` on ``area`` (if given)."""
    user = account_actions.create_user(
        None,
        username=username or f"user{next(_counter)}",
        password=PASSWORD,
        area=area,
        check_password=False,
        **fields,
    )
    if role is not None and area is not None:
        account_actions.grant_role(None, user, role, area)
    return user


def login_verified(client, user: User):
    """Log ``user`` in on the test ``client`` with a confirmed, verified second factor.

    Returns the TOTP device, so a test can reach what a fully logged-in staff
    member reaches (the console and the staff API refuse an unverified session
    of someone who has a device).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return device
