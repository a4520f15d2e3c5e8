"""Every change to the loudspeaker fleet, each checked against the scope rule and audited.

Console views, API endpoints, commands, jobs and the gateway call these; none
changes the fleet's rows with a bare ``save()``.
"""

from .commands import publish_emergencies, send_command, send_schedule, send_schedules
from .provisioning import (
    Provisioned,
    agent_config,
    issue_credentials,
    provision_clusters,
    publish_config,
    revoke_credentials,
)
from .registry import (
    add_cluster,
    import_clusters,
    save_cluster,
    save_station,
    set_cluster_state,
)
from .reports import raise_offline_alerts, record_reports

__all__ = [
    "Provisioned",
    "add_cluster",
    "agent_config",
    "import_clusters",
    "issue_credentials",
    "provision_clusters",
    "publish_config",
    "publish_emergencies",
    "raise_offline_alerts",
    "record_reports",
    "revoke_credentials",
    "save_cluster",
    "save_station",
    "send_command",
    "send_schedule",
    "send_schedules",
    "set_cluster_state",
]
