"""GIN indexes for full-text search on PostgreSQL (see programmes/search.py).

One index per searched type and full-text language (Dutch, English) on exactly the
expression ``search.full_text_document()`` builds: all texts a visitor reads in that
language, each the first non-empty column of its fallback chain. PostgreSQL uses an
expression index only when the query's expression is identical, so when the searched
fields change, add a migration that recreates these (``tests/test_search.py`` fails
until then).

SQLite matches patterns instead, so nothing happens there. Chinese is matched as a
substring on every database (see docs/architecture/search.md).
"""

from django.db import migrations

# (table, index name, text search configuration, texts); a text is its columns in
# fallback order (a translated field) or the name of an untranslated column.
INDEXES = [
    ("programmes_region", "programmes_search_regions_nl", "dutch", [
        ["name_nl"],
        ["summary_nl"],
        ["profile_nl"],
    ]),
    ("programmes_region", "programmes_search_regions_en", "english", [
        ["name_en", "name_nl"],
        ["summary_en", "summary_nl"],
        ["profile_en", "profile_nl"],
    ]),
    ("programmes_partnership", "programmes_search_partnerships_nl", "dutch", [
        ["title_nl"],
        ["summary_nl"],
        ["description_nl"],
        ["coordinator_role_nl"],
    ]),
    ("programmes_partnership", "programmes_search_partnerships_en", "english", [
        ["title_en", "title_nl"],
        ["summary_en", "summary_nl"],
        ["description_en", "description_nl"],
        ["coordinator_role_en", "coordinator_role_nl"],
    ]),
    ("programmes_mission", "programmes_search_missions_nl", "dutch", [
        ["title_nl"],
        ["summary_nl"],
        ["context_nl"],
        ["why_nl"],
        ["programme_intro_nl"],
        ["result_nl"],
        ["participants_nl"],
        "leader_name",
        ["leader_role_nl"],
    ]),
    ("programmes_mission", "programmes_search_missions_en", "english", [
        ["title_en", "title_nl"],
        ["summary_en", "summary_nl"],
        ["context_en", "context_nl"],
        ["why_en", "why_nl"],
        ["programme_intro_en", "programme_intro_nl"],
        ["result_en", "result_nl"],
        ["participants_en", "participants_nl"],
        "leader_name",
        ["leader_role_en", "leader_role_nl"],
    ]),
    ("programmes_programmeitem", "programmes_search_programme_items_nl", "dutch", [
        ["title_nl"],
        ["description_nl"],
    ]),
    ("programmes_programmeitem", "programmes_search_programme_items_en", "english", [
        ["title_en", "title_nl"],
        ["description_en", "description_nl"],
    ]),
    ("programmes_outcome", "programmes_search_outcomes_nl", "dutch", [
        ["title_nl"],
        ["description_nl"],
        ["parties_nl"],
    ]),
    ("programmes_outcome", "programmes_search_outcomes_en", "english", [
        ["title_en", "title_nl"],
        ["description_en", "description_nl"],
        ["parties_en", "parties_nl"],
    ]),
    ("programmes_organisation", "programmes_search_organisations_nl", "dutch", [
        ["name_nl"],
        ["description_nl"],
    ]),
    ("programmes_organisation", "programmes_search_organisations_en", "english", [
        ["name_en", "name_nl"],
        ["description_en", "description_nl"],
    ]),
]


def document_sql(config, texts):
    """``to_tsvector()`` of the texts joined by spaces, as Django's SearchVector writes it."""
    parts = []
    for text in texts:
        if isinstance(text, str):
            parts.append(f"COALESCE(\"{text}\", '')")
        else:
            columns = ", ".join(f"NULLIF(\"{column}\", '')" for column in text)
            parts.append(f"COALESCE(COALESCE({columns}, ''), '')")
    document = " || ' ' || ".join(parts)
    return f"to_tsvector('{config}'::regconfig, {document})"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, config, texts in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "{table}" USING gin (({document_sql(config, texts)}))'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name, _config, _texts in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0007_roles"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
