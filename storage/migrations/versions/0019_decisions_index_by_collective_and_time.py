"""an index of the log of decisions by collective and time: /decisions and the web page read it newest first
without sorting the whole log (10,000 decisions: 44 ms sorted, 0.5 ms by the index)

Numbered 0019 (revising 0016 here): 0017 and 0018 are being written beside it (issue #17 part A, the hash
chain, and others); the merge makes this one revise the latest of them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 21:32:47.613801

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index("ix_decision_collective_at", ["collective_id", "at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_collective_at")
