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
from tests.transcript import read


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


@pytest.mark.stores
def test_the_same_message_delivered_twice_is_applied_once(chat):
    chat.say("Alice", "/join")
    first = chat.send("Alice", "/away 2d", ref="telegram-update-77")
    again = chat.send("Alice", "/away 2d", ref="telegram-update-77")
    assert len(first) == 1 and again == []
    assert len(chat.core.tick(chat.clock.now() + timedelta(days=3))) == 1  # one time away, not two


@pytest.mark.stores
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


def test_a_refused_message_delivered_again_while_its_refusal_is_stored_is_answered_once(engine, clock):
    """A refusal undoes the unit of work and stores only that the message was handled; a
    second delivery of it can slip in between the two. Exactly one of them answers."""
    from bot.core import Core
    from bot.events import Chat, MessageReceived
    from storage.unit_of_work import SqlUnitOfWork
    from tests.transcript import Transcript, person

    chat = Chat("console", "group-1")
    Transcript(Core(lambda: SqlUnitOfWork(engine), clock), clock, chat).say("Alice", "/join")
    event = MessageReceived(chat, person("Alice"), "/agree 7", "update-9", clock.now())
    other_process = Core(lambda: SqlUnitOfWork(engine), clock)
    answers = []

    class DeliveredAgainMidway(SqlUnitOfWork):
        def rollback(self):
            super().rollback()
            answers.append(other_process.handle(event))  # the redelivery, in the gap

    answers.append(Core(lambda: DeliveredAgainMidway(engine), clock).handle(event))
    texts = [read(action) for actions in answers for action in actions]
    assert texts == ["There is no #7 here. /proposals lists the open items."]


def test_due_work_about_no_subject_can_be_cancelled(unit_of_work, clock, chat):
    from bot.model import DueWork

    chat.say("Alice", "/join")  # a collective to hang the work on
    with unit_of_work() as uow:
        collective = uow.collectives.for_chat("console", "group-1")
        uow.due.add(DueWork(None, collective.id, "weekly_digest", None, clock.now()))
        uow.due.add(DueWork(None, collective.id, "weekly_digest", 7, clock.now()))
        assert uow.due.cancel(collective.id, "weekly_digest", None) == 1
        assert [work.subject_id for work in uow.due.due(clock.now(), 10)] == [7]


def test_a_postgres_url_for_another_driver_is_refused_with_the_one_to_use():
    from sqlalchemy.exc import ArgumentError

    with pytest.raises(ArgumentError, match=r"psycopg 3, postgresql\+psycopg://"):
        make_engine("postgresql+psycopg2://coop@127.0.0.1/collective")


def test_a_writer_of_this_process_waits_its_turn_and_starts_when_the_other_commits(engine):
    """Two units of work of one process queue for SQLite's write lock in the process, never in SQLite's busy
    handler (which sleeps a millisecond or more between tries); a reader waits for neither."""
    import threading

    from storage.engine import read_only

    first = engine.connect()
    first.begin()
    first.exec_driver_sql("INSERT INTO adapter_state (platform, key, value) VALUES ('t', 'k', 'first')")
    started, finished = threading.Event(), threading.Event()

    def second_writer():
        started.set()
        with engine.begin() as second:
            second.exec_driver_sql("UPDATE adapter_state SET value = 'second' WHERE key = 'k'")
        finished.set()

    writer = threading.Thread(target=second_writer)
    writer.start()
    started.wait()
    with read_only(engine) as reader:  # a reader is never held up, and sees only what was committed
        assert reader.exec_driver_sql("SELECT count(*) FROM adapter_state").scalar() == 0
    assert not finished.wait(0.05)  # the second writer waits for the first ...
    first.commit()
    first.close()
    writer.join(5)
    assert finished.is_set()  # ... and runs once it has committed, seeing its row
    with read_only(engine) as reader:
        assert reader.exec_driver_sql("SELECT value FROM adapter_state").scalar() == "second"


def test_a_failed_write_frees_the_way_for_the_next(engine):
    with pytest.raises(Exception, match="no such table"), engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
    with engine.begin() as connection:  # not stuck behind the failed one
        connection.exec_driver_sql("INSERT INTO adapter_state (platform, key, value) VALUES ('t', 'k', 'v')")


def test_marking_answers_sent_leaves_every_unit_of_work_durable(engine, chat):
    """Marks commit without waiting for the disk (lost in a power cut they only send an answer again); the
    connection they used goes back to waiting for the disk, so a confirmed action is still on disk."""
    from storage.outbox import OutboxStore, Sent

    chat.say("Alice", "/join")
    store = OutboxStore(engine)
    unsent = store.unsent("console")
    assert unsent
    store.mark([Sent(delivery, f"message-{n}") for n, (delivery, _) in enumerate(unsent)], chat.clock.now())
    assert store.unsent("console") == []
    with engine.connect() as connection:  # the pool's one connection, the marks' own a moment ago
        assert connection.connection.driver_connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert chat.say("Bob", "/join").startswith("Welcome")


def test_reactions_counted_on_matrix_move_from_adapter_state_to_their_table(db_url):
    from alembic import command
    from sqlalchemy import text

    engine = make_engine(db_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")  # the schema before the table
    counted = '{"room": "!r:hs", "user": "@bob:hs", "name": "Bob", "on": "$ask", "choice": "agree"}'
    older = '{"room": "!r:hs", "user": "@eve:hs", "name": "Eve", "ask": "item-1-round-1", "choice": "block"}'
    state = [("reaction:$bob", counted), ("reaction:$eve", older), ("reaction:$gone", "null"), ("since", '"s72"')]
    with engine.begin() as connection:
        for key, value in state:
            connection.execute(
                text("INSERT INTO adapter_state (platform, key, value) VALUES ('matrix', :key, :value)"),
                {"key": key, "value": value},
            )
        connection.execute(
            text("INSERT INTO sent_ask (platform, chat_id, message_ref, key) VALUES ('matrix', '!r:hs', '$ask', :key)"),
            {"key": "item-1-round-1"},
        )
    migrate(engine)
    with engine.connect() as connection:
        moved = connection.execute(text("SELECT * FROM matrix_reaction ORDER BY event_id")).all()
        left = connection.execute(text("SELECT key FROM adapter_state")).scalars().all()
    assert [tuple(row) for row in moved] == [
        ("$bob", "!r:hs", "$ask", "@bob:hs", "Bob", "agree"),
        ("$eve", "!r:hs", "$ask", "@eve:hs", "Eve", "block"),  # an older row named its ask: found by sent_ask
    ]
    assert left == ["since"]  # the withdrawn one is dropped; the adapter's other state stays
