"""The one error type of the history package."""


class HistoryError(Exception):
    """A history store problem the user must fix (the CLI exits 2 with it)."""
