"""The four roles as groups: Editor, Publisher, Translator and Site manager.

The permissions are written out here as they were when this migration was made (a
migration must not change meaning when the code does); ``programmes.permissions``
holds the current table, and ``tests/domain/test_permissions.py`` checks that the two agree.
Which organisation's content a member works on is their ``Membership``, not the group.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

OWNED = ["partnership", "objective", "mission", "programmeitem", "outcome", "photo"]
SHARED = ["region", "keyfigure", "cluster", "organisation", "focusarea"]


def codenames(actions, model_names):
    return [f"{action}_{name}" for action in actions for name in model_names]


EDITOR = codenames(["view"], SHARED) + codenames(["add", "change", "delete", "view"], OWNED)
ROLES = {
    "Editor": EDITOR,
    "Publisher": EDITOR + codenames(["publish"], ["partnership", "mission", "outcome"]),
    "Translator": codenames(["view"], SHARED) + codenames(["change", "view"], OWNED),
    "Site manager": None,  # every permission of the programmes app
}


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    create_permissions(
        global_apps.get_app_config("programmes"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_permissions = Permission.objects.filter(content_type__app_label="programmes")
    for name, permission_codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        if permission_codenames is None:
            group.permissions.set(app_permissions)
        else:
            group.permissions.set(app_permissions.filter(codename__in=permission_codenames))


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0006_organisations_and_workflow"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
