"""The one error data input raises: a message a clinician can act on."""

from __future__ import annotations


class DataError(ValueError):
    """A file MedStat cannot read as a table; the message says what is wrong and what to do."""
