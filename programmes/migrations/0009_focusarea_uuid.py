"""Focus areas get a UUID like every other exported object (the API and bundles refer by UUID)."""

import uuid

from django.db import migrations, models


def give_uuids(apps, schema_editor):
    FocusArea = apps.get_model("programmes", "FocusArea")
    for area in FocusArea.objects.filter(uuid__isnull=True):
        area.uuid = uuid.uuid4()
        area.save(update_fields=["uuid"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0008_search")]

    operations = [
        migrations.AddField(
            model_name="focusarea",
            name="uuid",
            field=models.UUIDField(editable=False, null=True, verbose_name="UUID"),
        ),
        migrations.RunPython(give_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="focusarea",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID"),
        ),
    ]
