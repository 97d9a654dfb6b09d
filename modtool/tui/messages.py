"""Messages that widgets and workers post up to the app (dataclasses, Toolong style)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class CommentHighlighted(Message):
    """The cursor of the tree or the queue (``view``) is now on ``comment_id``."""

    comment_id: int
    view: str


@dataclass
class ImportFinished(Message):
    """The import worker stored the document as ``thread_id``."""

    thread_id: int
    summary: str


@dataclass
class WorkFailed(Message):
    """A worker stopped with a user-facing error (import or scoring)."""

    what: str
    message: str


@dataclass
class ScorerChosen(Message):
    """The scoring worker scores with ``name``; ``note`` says why when ``auto`` fell back."""

    name: str
    note: str | None = None


@dataclass
class ScoringProgress(Message):
    """The scoring worker has scored ``done`` of ``total`` comments."""

    done: int
    total: int


@dataclass
class ScoringFinished(Message):
    """Scores (and the policy's suggestions) are stored; the app reloads them."""

    scored: int
    note: str | None = None


@dataclass
class ClaimRefused(Message):
    """Another moderator (``moderator``) has ``comment_id`` open: it was not claimed."""

    comment_id: int
    moderator: str
