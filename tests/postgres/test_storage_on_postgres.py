"""Storage on PostgreSQL: the schema migrates to exactly the tables, and what
the core relies on of its database holds there too."""

from sqlalchemy import inspect

from storage.engine import make_engine, migrate
from storage.tables import CollectiveRow


def test_an_empty_postgres_database_migrates_to_head_and_matches_the_tables(cluster):
    cluster.execute("CREATE DATABASE empty_one")
    engine = make_engine(cluster.url("empty_one"))
    try:
        migrate(engine)
        migrate(engine)  # a second start changes nothing
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set(CollectiveRow.metadata.tables)
    finally:
        engine.dispose()
