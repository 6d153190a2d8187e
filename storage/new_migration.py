"""For developers: write the next migration from the difference between the
tables in ``storage/tables.py`` and the schema the existing migrations build.

    python -m storage.new_migration "what changed"

Read the generated file before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from storage.engine import alembic_config, make_engine, migrate, sqlite_url


def main(message: str) -> None:
    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    next_id = f"{int(head) + 1:04d}" if head and head.isdigit() else None
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "head.db"))
        migrate(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True, rev_id=next_id)
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit('usage: python -m storage.new_migration "what changed"')
    main(sys.argv[1])
