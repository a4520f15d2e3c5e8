"""Who may do what in the boards' console pages, by the scope rule."""

from __future__ import annotations

from grassroots.accounts import scope
from grassroots.accounts.permissions import READ_ACTIONS, ScopedPermissionPolicy
from grassroots.accounts.roles import Capability


class BoardPolicy(ScopedPermissionPolicy):
    """Boards are retired, never deleted: their history and proof of display stay."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)


class TakeoverPolicy(ScopedPermissionPolicy):
    """Emergencies come from the emergencies app and bulletins; the console reads them.

    Their words and areas change only through the emergency's own actions
    (scoped, audited, pushed to the boards); the console lists them and ends
    them (``release_view``, with the capability on every area). A user sees
    one if any of its areas is in their scope.
    """

    def user_has_permission(self, user, action):
        return action in READ_ACTIONS and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        capability = self.capability(action)
        return any(scope.can(user, capability, p) for p in instance.area_paths or [])


class ProvincePolicy(ScopedPermissionPolicy):
    """Province-wide rows: only staff with the capability on a province may add any."""

    def user_has_permission(self, user, action):
        allowed = super().user_has_permission(user, action)
        if not allowed or action in READ_ACTIONS:
            return allowed
        capability = self.capability(action)
        return (
            scope.roots(user, capability) is None
            or scope.areas(user, capability).provinces().exists()
        )


def register() -> None:
    from wagtail.permissions import register_permission_policy

    from ..models import AllowedOrigin, Board, BoardItem, Takeover

    register_permission_policy(
        Board,
        BoardPolicy(Board, path_field="area__path", manage=Capability.MANAGE_DEVICES),
    )
    register_permission_policy(
        BoardItem,
        ScopedPermissionPolicy(
            BoardItem, path_field="area__path", manage=Capability.OPERATE_BROADCASTS
        ),
    )
    register_permission_policy(
        Takeover,
        TakeoverPolicy(
            Takeover, path_field="areas__path", manage=Capability.BROADCAST_EMERGENCY
        ),
    )
    register_permission_policy(
        AllowedOrigin,
        ProvincePolicy(
            AllowedOrigin,
            path_field="province__path",
            manage=Capability.MANAGE_DEVICES,
            view=Capability.MANAGE_DEVICES,
        ),
    )
