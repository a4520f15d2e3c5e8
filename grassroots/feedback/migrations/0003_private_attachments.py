"""Citizens' files move to the private storage, with new names and no photo metadata."""

import uuid

import django.utils.timezone
from django.db import migrations, models

import grassroots.core.private_files
import grassroots.feedback.models.feedback


def _new_name(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()[:5] if "." in name else "bin"
    return f"feedback/{django.utils.timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


def move_files(apps, schema_editor):
    from grassroots.core.private_files import move_to_private

    move_to_private(
        apps.get_model("feedback", "Attachment"), rename=_new_name, clean_images=True
    )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_seed")]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=grassroots.core.private_files.private_storage,
                upload_to=grassroots.feedback.models.feedback.attachment_path,
                verbose_name="file",
            ),
        ),
        migrations.RunPython(move_files, migrations.RunPython.noop, elidable=True),
    ]
