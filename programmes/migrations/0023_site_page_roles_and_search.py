"""Site pages: the site managers' permissions, and their full-text indexes.

Only site managers edit site pages (``permissions.py``): their group holds every permission
of the app, so it gets the new model's; editors, publishers and translators get none.

Search finds site pages by title (A) and body (B); the GIN indexes are built on exactly the
expression ``search.full_text_document()`` writes, as in 0008_search, whose SQL this reuses.
"""

import importlib

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

search = importlib.import_module("programmes.migrations.0008_search")

INDEXES = [
    ("programmes_sitepage", "programmes_search_pages_nl", "dutch", [
        ["title_nl"],
        ["body_nl"],
    ]),
    ("programmes_sitepage", "programmes_search_pages_en", "english", [
        ["title_en", "title_nl"],
        ["body_en", "body_nl"],
    ]),
]

CODENAMES = [f"{action}_sitepage" for action in ("add", "change", "delete", "view", "publish")]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the group needs them now.
    create_permissions(
        global_apps.get_app_config("programmes"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Site manager")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="programmes", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="programmes", codename__in=CODENAMES
    ).delete()


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, config, texts in INDEXES:
        document = search.document_sql(config, texts)
        schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" USING gin (({document}))')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name, _config, _texts in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0022_site_pages"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
