"""The database: migrated from empty, matching the tables, WAL mode, refusing a
newer schema, and applying a redelivered message once."""

import sqlite3
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.engine import DatabaseTooNew, alembic_config, make_engine, migrate


def test_an_empty_database_migrates_to_head_and_matches_the_tables(db_url):
    engine = make_engine(db_url)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert migrate(engine) == head
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    assert {"collective", "chat", "member", "setting", "seen_message", "due_work"} <= set(
        inspect(engine).get_table_names()
    )


def test_migrating_twice_is_harmless(db_url, chat):
    chat.say("Alice", "/join")
    migrate(make_engine(db_url))
    assert chat.say("Alice", "/members") == "Members (1):\n• Alice"


def test_the_database_uses_the_write_ahead_log(engine, tmp_path):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(db_url, engine):
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(DatabaseTooNew, match="written by a newer version"):
        migrate(make_engine(db_url))


def test_the_same_message_delivered_twice_is_applied_once(chat):
    chat.say("Alice", "/join")
    first = chat.send("Alice", "/away 2d", ref="telegram-update-77")
    again = chat.send("Alice", "/away 2d", ref="telegram-update-77")
    assert len(first) == 1 and again == []
    assert len(chat.core.tick(chat.clock.now() + timedelta(days=3))) == 1  # one time away, not two


def test_the_same_ref_in_another_chat_is_another_message(chat):
    from bot.events import Chat

    chat.say("Alice", "/join", ref="7")
    assert chat.say("Alice", "/join", ref="7", chat=Chat("console", "group-2")).startswith("Welcome, Alice!")


def test_a_confirmed_action_is_on_disk_before_the_reply_is_returned(db_url, chat):
    answer = chat.say("Alice", "/join")
    assert answer.startswith("Welcome")
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:  # another connection sees it committed
        assert raw.execute("SELECT display_name, active FROM member").fetchall() == [("Alice", 1)]
