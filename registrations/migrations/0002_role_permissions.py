"""The roles' permissions on registrations (programmes/permissions.py, ROLE_PERMISSIONS).

Editors open and close registration for their organisation's missions (the settings) and
see the counts; publishers also see, accept, decline, export and erase the people; site
managers hold every permission of this app. Translators get none. Written out as they
were when this migration was made (a migration must not change meaning when the code
does); ``tests/domain/test_permissions.py`` checks that the groups match the current table.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

SETTINGS = ["add_registrationsettings", "change_registrationsettings"]
SETTINGS += ["delete_registrationsettings", "view_registrationsettings"]
PEOPLE = ["view_registration", "change_registration", "delete_registration"]
PEOPLE += ["export_registration"]
ROLES = {
    "Editor": SETTINGS,
    "Publisher": SETTINGS + PEOPLE,
    "Site manager": None,  # every permission of the registrations app
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    create_permissions(
        global_apps.get_app_config("registrations"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="registrations")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        granted = ours if codenames is None else ours.filter(codename__in=codenames)
        group.permissions.add(*granted)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="registrations")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0007_roles"),
        ("registrations", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
