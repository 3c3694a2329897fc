"""The role "Partner reviewer", and who may read and decide on suggestions.

Partner reviewers add suggestions and read them; editors and publishers read them and
decide (accept or decline); site managers hold every permission of the app, so those of
both new models are added to theirs. Written out as they were when this migration was made (a migration must
not change meaning when the code does); ``tests/domain/test_permissions.py`` checks that
the groups match ``programmes.domain.permissions.ROLE_PERMISSIONS``.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

SUGGESTION = ["add_suggestion", "change_suggestion", "delete_suggestion", "view_suggestion"]
REVIEWER = ["add_partnerreviewer", "change_partnerreviewer", "delete_partnerreviewer"]
REVIEWER += ["view_partnerreviewer"]
GRANTS = {
    "Partner reviewer": ["add_suggestion", "view_suggestion"],
    "Editor": ["view_suggestion", "change_suggestion"],
    "Publisher": ["view_suggestion", "change_suggestion"],
    "Site manager": SUGGESTION + REVIEWER,  # every permission of the app, as before
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    create_permissions(
        global_apps.get_app_config("programmes"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="programmes")
    for name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*ours.filter(codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(
        content_type__app_label="programmes", codename__in=SUGGESTION + REVIEWER
    )
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*ours)
    Group.objects.filter(name="Partner reviewer").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0020_partner_reviewers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
