"""Each item gets a public identifier, so public lists need not show tracking codes."""

import secrets

from django.db import migrations, models

import grassroots.feedback.codes


def fill(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    for pk in Feedback.objects.filter(public_id=None).values_list("pk", flat=True):
        Feedback.objects.filter(pk=pk).update(public_id=secrets.token_hex(8))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_private_attachments")]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="public_id",
            field=models.CharField(
                editable=False,
                max_length=20,
                null=True,
                verbose_name="public identifier",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="feedback",
            name="public_id",
            field=models.CharField(
                default=grassroots.feedback.codes.new_public_id,
                editable=False,
                max_length=20,
                unique=True,
                verbose_name="public identifier",
            ),
        ),
    ]
