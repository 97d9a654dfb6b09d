"""One exception family for everything a user can cause.

The CLI turns a :class:`ModtoolError` into one line on stderr and a non-zero
exit; anything else escaping is a bug and keeps its traceback.
"""

from __future__ import annotations


class ModtoolError(Exception):
    """An error with a message meant for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(ModtoolError):
    """A document, file or option the user gave cannot be used."""

    @classmethod
    def at(cls, path: object, where: str | None, problem: str) -> InputError:
        """Build ``path:where: problem`` (``where`` is ``line 12`` or ``byte 40``)."""
        place = f"{path}: {where}" if where else f"{path}"
        return cls(f"{place}: {problem}")


class ParseError(InputError):
    """A thread document is malformed (the message names file and line)."""


class StoreError(ModtoolError):
    """The database cannot be opened, is too new, or a lookup found nothing."""


class NotFoundError(StoreError):
    """A thread, comment or label that the user named does not exist."""
