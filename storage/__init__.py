"""Storage: SQLModel tables, Alembic migrations and the unit of work that
implements the core's ports (``bot.ports``)."""
