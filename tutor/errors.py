"""The service's errors: each front door turns them into its own 404 and 409."""


class NotFound(LookupError):
    """An unknown lesson, step or topic: a 404 with this message."""


class Conflict(RuntimeError):
    """An answer to anything but the current item: a 409, and nothing changes."""
