from django.db import migrations


def seed(apps, schema_editor):
    from grassroots.feedback.seed import seed_calendar, seed_categories

    seed_calendar(apps.get_model("feedback", "CalendarDay"))
    seed_categories(apps.get_model("feedback", "Category"))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
