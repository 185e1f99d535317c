"""The database's own full-text index over knowledge_searchdoc: an FTS5 table kept by triggers on SQLite, two
generated tsvector columns with GIN indexes on PostgreSQL (the whole entry, and its title and ways of asking). The terms are already segmented (knowledge.analysis),
so both use their plain tokenisers ('simple' on PostgreSQL) and see one term between two spaces."""

from django.db import migrations

SQLITE = [
    (
        "CREATE VIRTUAL TABLE knowledge_fts USING fts5(title, variants, answer, tags,"
        " content='knowledge_searchdoc', content_rowid='entry_id', tokenize='unicode61 remove_diacritics 0')",
        "DROP TABLE IF EXISTS knowledge_fts",
    ),
    (
        "CREATE TRIGGER knowledge_fts_insert AFTER INSERT ON knowledge_searchdoc BEGIN"
        " INSERT INTO knowledge_fts(rowid, title, variants, answer, tags)"
        " VALUES (new.entry_id, new.title, new.variants, new.answer, new.tags); END",
        "DROP TRIGGER IF EXISTS knowledge_fts_insert",
    ),
    (
        "CREATE TRIGGER knowledge_fts_delete AFTER DELETE ON knowledge_searchdoc BEGIN"
        " INSERT INTO knowledge_fts(knowledge_fts, rowid, title, variants, answer, tags)"
        " VALUES ('delete', old.entry_id, old.title, old.variants, old.answer, old.tags); END",
        "DROP TRIGGER IF EXISTS knowledge_fts_delete",
    ),
    (
        "CREATE TRIGGER knowledge_fts_update AFTER UPDATE ON knowledge_searchdoc BEGIN"
        " INSERT INTO knowledge_fts(knowledge_fts, rowid, title, variants, answer, tags)"
        " VALUES ('delete', old.entry_id, old.title, old.variants, old.answer, old.tags);"
        " INSERT INTO knowledge_fts(rowid, title, variants, answer, tags)"
        " VALUES (new.entry_id, new.title, new.variants, new.answer, new.tags); END",
        "DROP TRIGGER IF EXISTS knowledge_fts_update",
    ),
]

POSTGRESQL = [
    (
        "ALTER TABLE knowledge_searchdoc ADD COLUMN document tsvector GENERATED ALWAYS AS ("
        " setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', variants), 'B')"
        " || setweight(to_tsvector('simple', tags), 'C') || setweight(to_tsvector('simple', answer), 'D')"
        ") STORED",
        "ALTER TABLE knowledge_searchdoc DROP COLUMN IF EXISTS document",
    ),
    (
        "CREATE INDEX knowledge_searchdoc_document ON knowledge_searchdoc USING gin (document)",
        "DROP INDEX IF EXISTS knowledge_searchdoc_document",
    ),
    # Titles and ways of asking alone: a word too common to rank everywhere is looked for here (a GIN index
    # cannot filter by weight, so the whole document's index would hand every entry holding it to the heap).
    (
        "ALTER TABLE knowledge_searchdoc ADD COLUMN heading tsvector GENERATED ALWAYS AS ("
        " setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', variants), 'B')"
        ") STORED",
        "ALTER TABLE knowledge_searchdoc DROP COLUMN IF EXISTS heading",
    ),
    (
        "CREATE INDEX knowledge_searchdoc_heading ON knowledge_searchdoc USING gin (heading)",
        "DROP INDEX IF EXISTS knowledge_searchdoc_heading",
    ),
]


def _statements(schema_editor):
    return {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])


def forwards(apps, schema_editor):
    for create, _ in _statements(schema_editor):
        schema_editor.execute(create)


def backwards(apps, schema_editor):
    for _, drop in reversed(_statements(schema_editor)):
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
