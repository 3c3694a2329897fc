"""Export records: what partner sites were told is public, and tombstones (programmes/sync.py).

Site managers hold every permission of the programmes app (0007_roles), so they get this
model's too: the admin shows the records read-only.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def give_site_managers_the_new_permissions(apps, schema_editor):
    create_permissions(
        global_apps.get_app_config("programmes"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Site manager"):
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="programmes", content_type__model="exportrecord"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0009_focusarea_uuid"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExportRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("region", "region"),
                            ("organisation", "organisation"),
                            ("partnership", "partnership"),
                            ("mission", "mission"),
                            ("outcome", "outcome"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("uuid", models.UUIDField(unique=True, verbose_name="UUID")),
                ("public", models.BooleanField(verbose_name="public")),
                ("changed_at", models.DateTimeField(db_index=True, verbose_name="changed")),
            ],
            options={
                "verbose_name": "export record",
                "verbose_name_plural": "export records",
                "indexes": [
                    models.Index(fields=["public", "changed_at"], name="export_record_gone")
                ],
            },
        ),
        migrations.RunPython(give_site_managers_the_new_permissions, migrations.RunPython.noop),
    ]
