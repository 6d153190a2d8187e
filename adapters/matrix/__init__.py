"""Matrix rooms and direct rooms on matrix-nio (issue 7): ``MatrixAdapter`` is what ``collective-bot run``
starts when ``[matrix] enabled = true``."""

from adapters.matrix.adapter import MatrixAdapter

__all__ = ["MatrixAdapter"]
