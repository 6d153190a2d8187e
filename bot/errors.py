"""Refusals: a clear answer to a member, with nothing stored."""


class Refusal(Exception):
    """Raised by a command to refuse; the message says why and is sent as the
    reply. The command's unit of work is rolled back."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PrivateRefusal(Refusal):
    """A refusal that would tell the group something private (who asked a
    private need): it goes to the member by direct message only."""
