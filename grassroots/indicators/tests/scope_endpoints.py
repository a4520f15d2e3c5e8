"""Staff lists of the indicators app, for the scope harness."""

import datetime

from grassroots.accounts.roles import Capability
from grassroots.indicators.models import Export
from grassroots.testing.scope import ScopedEndpoint


def _export(area, marker):
    return Export.objects.create(
        kind="indicators",
        format="xlsx",
        area=area,
        area_path=area.path,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        state="done",
        file_name=f"{marker}.xlsx",
    )


ENDPOINTS = [
    ScopedEndpoint(
        "indicator exports",
        "/console/indicators/exports/?q={marker_prefix}",
        _export,
        Capability.EXPORT_REPORTS,
    ),
]
