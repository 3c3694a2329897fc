"""Site pages get the names column of migration 0019 (the two were made side by side): a
site page is found by its title in every language and its pinyin, as other content is."""

import importlib

from django.db import migrations

import programmes.models.search_names

names = importlib.import_module("programmes.migrations.0019_search_names")
TABLE = "programmes_sitepage"


def fill_names(apps, schema_editor):
    model = apps.get_model("programmes", "SitePage")
    pages = list(model.objects.all())
    for page in pages:
        page.search_names = names.names_of(page, "title")
    model.objects.bulk_update(pages, ["search_names"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{names.index_name(TABLE)}" ON "{TABLE}" USING gin '
            "((to_tsvector('simple'::regconfig, COALESCE(\"search_names\", ''))))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{names.index_name(TABLE)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0023_site_page_roles_and_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="sitepage",
            name="search_names",
            field=programmes.models.search_names.SearchNamesField(
                source="title", verbose_name="names for search"
            ),
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
