"""Every change to the loudspeaker fleet, each checked against the scope rule and audited.

Console views, API endpoints, commands, jobs and the gateway call these; none
changes the fleet's rows with a bare ``save()``.
"""

from .commands import publish_emergencies, send_command, send_schedule, send_schedules
from .keys import finish_key_rotation, rotate_signing_key, rotation_status
from .provisioning import (
    Provisioned,
    agent_config,
    issue_credentials,
    provision_clusters,
    publish_config,
    publish_configs,
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
    "finish_key_rotation",
    "import_clusters",
    "issue_credentials",
    "provision_clusters",
    "publish_config",
    "publish_configs",
    "publish_emergencies",
    "raise_offline_alerts",
    "record_reports",
    "revoke_credentials",
    "rotate_signing_key",
    "rotation_status",
    "save_cluster",
    "save_station",
    "send_command",
    "send_schedule",
    "send_schedules",
    "set_cluster_state",
]
