"""The tables of the record's hash chain (``bot.chain``, ``storage.chain``): its entries, and apart from them the
salts of private needs' commitments. Declared with the others in one SQLModel metadata (``storage.tables``
imports this module)."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class ChainEntryRow(SQLModel, table=True):
    """One entry of a collective's chain: ``content`` is its canonical JSON, ``hash`` SHA-256 of the previous
    entry's hash and ``content``. Appended in the unit of work that wrote the row it records, never changed.
    (No foreign key to the collective: an empty collective dropped after /link takes its chain with it.)"""

    __tablename__ = "chain_entry"
    __table_args__ = (Index("ix_chain_entry_ref", "kind", "ref", "seq"),)

    collective_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # 1, 2, … per collective
    kind: str = Field(max_length=16)
    ref: str = Field(max_length=128)  # the row it records, by its key (``5``, ``12:7``)
    content: str
    hash: str = Field(max_length=64)


class ChainSaltRow(SQLModel, table=True):
    """The salt of a private need's commitment to whoever asked: kept apart from the chain, never exported."""

    __tablename__ = "chain_salt"

    item_id: int = Field(foreign_key="item.id", primary_key=True)
    salt: str = Field(max_length=64)


__all__ = ["ChainEntryRow", "ChainSaltRow"]
