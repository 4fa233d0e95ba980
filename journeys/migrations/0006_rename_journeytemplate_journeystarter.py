"""Journey templates are "starters" in code (the UI still says template): rename the model,
its reverse name on Agency and its constraint. Rows are kept as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0005_search_trigram_indexes"),
    ]

    operations = [
        migrations.RenameModel(old_name="JourneyTemplate", new_name="JourneyStarter"),
        migrations.RemoveConstraint(model_name="journeystarter", name="journey_template_name_unique"),
        migrations.AlterField(
            model_name="journeystarter",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="starters",
                to="cvj.agency",
            ),
        ),
        migrations.AddConstraint(
            model_name="journeystarter",
            constraint=models.UniqueConstraint(
                fields=("agency", "name"), name="journey_starter_name_unique"
            ),
        ),
    ]
