"""The background queue's tables on PostgreSQL (settings.HUEY: huey.PostgresHuey), as huey defines them.

huey would create them when it starts; motcua turns that off (every web process would try it at import)
and creates them here, with the rest of the schema. On SQLite the queue is a file of its own: nothing to do.
"""

from django.db import migrations

TABLES = ("kv", "schedule", "task", "counter")


def _storage():
    from huey.storage import PostgresStorage

    return PostgresStorage(name="motcua", create_tables=False)  # table prefix "huey": huey_task, …


def create_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _storage().ddl:
            schema_editor.execute(statement)


def drop_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TABLE IF EXISTS huey_{table}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_tables, drop_tables, elidable=False)]
