"""Alembic environment: migrations run on the connection the app hands over."""

from alembic import context
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through storage.engine.migrate (or python -m storage.new_migration)")
run_migrations(connection)
