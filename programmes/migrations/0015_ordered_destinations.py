"""A mission's destinations keep the order the editor gave them.

The many-to-many table Django made for ``Mission.destinations`` becomes the model
``MissionDestination`` with a ``position``, keeping every row: the state learns that the
table is a model (no database change), the table takes the model's name, and the rows
are numbered per mission in the order they were added (their ids), the only order they
had. The seed loader writes the seed's order when it runs again.

The roles get the permissions for the new model as for a mission's other parts
(``permissions.ROLE_PERMISSIONS``, written out as they are now: a migration must not
change meaning when the code does).
"""

import django.db.models.deletion
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ROLE_CODENAMES = {
    "Editor": ["add", "change", "delete", "view"],
    "Publisher": ["add", "change", "delete", "view"],
    "Translator": ["change", "view"],
    "Site manager": ["add", "change", "delete", "view"],
}


def number_existing_rows(apps, schema_editor):
    MissionDestination = apps.get_model("programmes", "MissionDestination")
    positions: dict[int, int] = {}
    changed = []
    for link in MissionDestination.objects.order_by("mission_id", "pk"):
        link.position = positions.get(link.mission_id, 0)
        positions[link.mission_id] = link.position + 1
        changed.append(link)
    MissionDestination.objects.bulk_update(changed, ["position"], batch_size=500)


def grant_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    create_permissions(
        global_apps.get_app_config("programmes"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLE_CODENAMES):
        codenames = [f"{action}_missiondestination" for action in ROLE_CODENAMES[group.name]]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="programmes", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0014_programme_item_end_time"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MissionDestination",
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
                        (
                            "mission",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="destination_links",
                                to="programmes.mission",
                                verbose_name="mission",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="mission_links",
                                to="programmes.region",
                                verbose_name="destination",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programmes_mission_destinations",
                        "unique_together": {("mission", "region")},
                    },
                ),
                migrations.AlterField(
                    model_name="mission",
                    name="destinations",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="missions",
                        through="programmes.MissionDestination",
                        to="programmes.region",
                        verbose_name="destinations",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="missiondestination", table=None),
        migrations.AddField(
            model_name="missiondestination",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="order"),
        ),
        migrations.RunPython(number_existing_rows, migrations.RunPython.noop),
        migrations.AlterUniqueTogether(name="missiondestination", unique_together=set()),
        migrations.AddConstraint(
            model_name="missiondestination",
            constraint=models.UniqueConstraint(
                fields=("mission", "region"), name="missiondestination_region_once"
            ),
        ),
        migrations.AlterModelOptions(
            name="missiondestination",
            options={
                "ordering": ["mission", "position", "pk"],
                "verbose_name": "destination",
                "verbose_name_plural": "destinations",
            },
        ),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
