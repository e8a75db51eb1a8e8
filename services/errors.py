"""Errors the service layer raises for users to read (pages show them; the CLI exits 2)."""


class UsageError(Exception):
    """A bad argument or input the user can fix."""
