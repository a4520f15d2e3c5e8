from wagtail.users.apps import WagtailUsersAppConfig as BaseWagtailUsersAppConfig


class WagtailUsersAppConfig(BaseWagtailUsersAppConfig):
    """Wagtail's user pages, narrowed to the accounts of the administrator's area."""

    user_viewset = "grassroots.accounts.viewsets.UserViewSet"
