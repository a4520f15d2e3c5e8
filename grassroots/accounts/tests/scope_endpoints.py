"""Staff lists of the accounts and areas apps, for the scope harness."""

from grassroots.accounts.models import RoleAssignment
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Kind, Level
from grassroots.testing import make_user
from grassroots.testing.scope import ScopedEndpoint


def _staff(area, marker):
    return make_user(None, area, username=marker)


def _role(area, marker):
    user = make_user(None, area, username=marker)
    return RoleAssignment.objects.create(user=user, role="viewer", area=area)


def _hamlet(area, marker):
    return Area.objects.create(
        parent=area,
        code=marker[-8:],
        name=marker,
        kind=Kind.HAMLET,
        level=Level.HAMLET,
        path=f"{area.path}{marker[-8:]}/",
    )


ENDPOINTS = [
    ScopedEndpoint(
        "console users",
        "/console/users/?q={marker_prefix}",
        _staff,
        Capability.MANAGE_USERS,
    ),
    ScopedEndpoint(
        "console roles",
        "/console/roles/?q={marker_prefix}",
        _role,
        Capability.MANAGE_USERS,
    ),
    ScopedEndpoint(
        "console areas",
        "/console/areas/?q={marker_prefix}",
        _hamlet,
        Capability.VIEW,
        levels=(Level.COMMUNE,),
    ),
]
