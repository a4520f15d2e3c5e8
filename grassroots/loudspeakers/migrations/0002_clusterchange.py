"""Each cluster's dated history, for the fleet's indicators; filled from the registry."""

import zoneinfo

import django.db.models.deletion
from django.db import migrations, models

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def backfill(apps, schema_editor):
    """Write each existing cluster's history from what the registry knows.

    Active from its installation day (else its registration day); a cluster
    now in maintenance or retired is taken to have changed on the day its row
    was last updated.
    """
    Cluster = apps.get_model("loudspeakers", "Cluster")
    ClusterChange = apps.get_model("loudspeakers", "ClusterChange")
    rows = []
    for cluster in Cluster.objects.select_related("area").iterator(chunk_size=2000):
        area = cluster.area
        commune_id = area.pk if area.level <= 3 else area.parent_id
        start = cluster.installed_on or cluster.created_at.astimezone(LOCAL).date()
        changed = cluster.updated_at.astimezone(LOCAL).date()
        entry = dict(cluster=cluster, area=area, commune_id=commune_id)
        if cluster.state != "active" and changed > start:
            rows.append(
                ClusterChange(
                    effective_on=start, ended_on=changed, state="active", **entry
                )
            )
            start = changed
        rows.append(ClusterChange(effective_on=start, state=cluster.state, **entry))
        if len(rows) >= 5000:
            ClusterChange.objects.bulk_create(rows)
            rows = []
    ClusterChange.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("loudspeakers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClusterChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("effective_on", models.DateField(verbose_name="from")),
                (
                    "ended_on",
                    models.DateField(blank=True, null=True, verbose_name="until"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("active", "active"),
                            ("maintenance", "maintenance"),
                            ("retired", "retired"),
                        ],
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.area",
                        verbose_name="area",
                    ),
                ),
                (
                    "cluster",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="loudspeakers.cluster",
                    ),
                ),
                (
                    "commune",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.area",
                        verbose_name="commune",
                    ),
                ),
            ],
            options={
                "verbose_name": "cluster history entry",
                "verbose_name_plural": "cluster history",
                "ordering": ["cluster", "effective_on", "pk"],
                "indexes": [
                    models.Index(
                        fields=["effective_on", "ended_on"], name="cluster_change_day"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
