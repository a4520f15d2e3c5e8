"""Bulletins' attachments move to the private storage (drafts' files had public URLs)."""

from django.db import migrations, models

import grassroots.bulletins.models.attachment
import grassroots.core.private_files


def move_files(apps, schema_editor):
    from grassroots.core.private_files import move_to_private

    move_to_private(apps.get_model("bulletins", "Attachment"))


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0003_categories_and_workflow")]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                max_length=255,
                storage=grassroots.core.private_files.private_storage,
                upload_to=grassroots.bulletins.models.attachment.attachment_path,
                verbose_name="file",
            ),
        ),
        migrations.RunPython(move_files, migrations.RunPython.noop, elidable=True),
    ]
