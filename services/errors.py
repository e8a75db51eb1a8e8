"""Errors the service layer raises for users to read (pages show them; the CLI exits 2)."""


class UsageError(Exception):
    """A bad argument or input the user can fix."""


class DatabaseUnavailable(ConnectionError):
    """The database could not be reached (or dropped the connection) during a write: nothing was
    saved. Pages show the message; the engine reconnects by itself on the next use (pool_pre_ping)."""

    def __init__(
        self, message: str = "The database cannot be reached just now; nothing was saved. Try again in a moment."
    ):
        super().__init__(message)
