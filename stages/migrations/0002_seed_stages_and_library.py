from django.db import migrations


def seed(apps, schema_editor):
    from stages.seed import seed_stages_and_library

    seed_stages_and_library(apps.get_model("stages", "Stage"), apps.get_model("stages", "Tactic"))


class Migration(migrations.Migration):
    dependencies = [("stages", "0001_initial")]

    # Reversing keeps the rows: the stages are the ground floor other tables point at.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
