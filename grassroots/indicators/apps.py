from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role


class IndicatorsConfig(AppConfig):
    name = "grassroots.indicators"
    label = "indicators"
    verbose_name = _("indicators and reports")
    # The dashboard and exports check capabilities on the area; the model
    # permission only lets the console show the exports list.
    role_permissions = {role: ["indicators.view_export"] for role in Role.values}
