"""Matrix rooms and direct rooms on matrix-nio: ``MatrixAdapter`` is what ``collective-bot run``
starts when ``[matrix] enabled = true``."""

from adapters.matrix.adapter import MatrixAdapter

__all__ = ["MatrixAdapter"]
