"""The errors of the vacancy store that are the *user's* to fix, not bugs.

The CLI turns any :class:`VacancyStoreError` into a one-line message and exit
code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class VacancyStoreError(Exception):
    """Something the person asked for cannot be done; the message says why."""


class ImportFileError(VacancyStoreError):
    """The whole file is unusable (not the declared format, wrong encoding, no usable rows).

    Raised before anything is written, so a rejected file leaves the
    database exactly as it was.
    """


class UnknownCodeError(VacancyStoreError):
    """A code that is not in NKZ 2017 (or not at a level this operation accepts)."""


class RowError(ValueError):
    """One row cannot be imported; the import reports it with its line and goes on."""
