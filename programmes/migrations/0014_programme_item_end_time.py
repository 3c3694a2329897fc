"""A programme item may say when it ends: on its date, after its start time."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0013_read_model"),
    ]

    operations = [
        migrations.AddField(
            model_name="programmeitem",
            name="end_time",
            field=models.TimeField(
                blank=True,
                help_text=(
                    "When it ends, on the same day, in the same local time as the start time. "
                    "Leave empty when the source does not say."
                ),
                null=True,
                verbose_name="end time",
            ),
        ),
        migrations.AddConstraint(
            model_name="programmeitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_time__isnull", True),
                    models.Q(
                        ("end_time__gt", models.F("start_time")), ("start_time__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="programmeitem_end_after_start",
            ),
        ),
    ]
