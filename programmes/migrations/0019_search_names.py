"""Every language's name of an object, with the pinyin of the Chinese one, for the search.

The column (``SearchNamesField``) is written on every save; this fills it for the rows
that exist. On PostgreSQL a GIN index on its ``simple`` text-search document lets a Latin
query word ("ningbo") be looked up by index, next to the Dutch and English documents of
migration 0008; the expression is exactly the one ``public/search.py`` builds (a test
checks the plan).
"""

from django.db import migrations

import programmes.models.search_names
from programmes.models.search_names import names_of

# (model, the field the names come from, table)
NAMED = [
    ("Region", "name", "programmes_region"),
    ("Organisation", "name", "programmes_organisation"),
    ("Partnership", "title", "programmes_partnership"),
    ("Mission", "title", "programmes_mission"),
    ("ProgrammeItem", "title", "programmes_programmeitem"),
    ("Outcome", "title", "programmes_outcome"),
]
BATCH_SIZE = 500


def fill_names(apps, schema_editor):
    for model_name, source, _table in NAMED:
        model = apps.get_model("programmes", model_name)
        batch = []
        for obj in model.objects.order_by("pk").iterator(chunk_size=BATCH_SIZE):
            obj.search_names = names_of(obj, source)
            batch.append(obj)
            if len(batch) == BATCH_SIZE:
                model.objects.bulk_update(batch, ["search_names"])
                batch = []
        model.objects.bulk_update(batch, ["search_names"])


def index_name(table):
    return f"{table}_search_names"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model, _source, table in NAMED:
        schema_editor.execute(
            f'CREATE INDEX "{index_name(table)}" ON "{table}" USING gin '
            "((to_tsvector('simple'::regconfig, COALESCE(\"search_names\", ''))))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model, _source, table in NAMED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0018_audit_log_personal_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="mission",
            name="search_names",
            field=programmes.models.search_names.SearchNamesField(
                source="title", verbose_name="names for search"
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="search_names",
            field=programmes.models.search_names.SearchNamesField(
                source="name", verbose_name="names for search"
            ),
        ),
        migrations.AddField(
            model_name="outcome",
            name="search_names",
            field=programmes.models.search_names.SearchNamesField(
                source="title", verbose_name="names for search"
            ),
        ),
        migrations.AddField(
            model_name="partnership",
            name="search_names",
            field=programmes.models.search_names.SearchNamesField(
                source="title", verbose_name="names for search"
            ),
        ),
        migrations.AddField(
            model_name="programmeitem",
            name="search_names",
            field=programmes.models.search_names.SearchNamesField(
                source="title", verbose_name="names for search"
            ),
        ),
        migrations.AddField(
            model_name="region",
            name="search_names",
            field=programmes.models.search_names.SearchNamesField(
                source="name", verbose_name="names for search"
            ),
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
