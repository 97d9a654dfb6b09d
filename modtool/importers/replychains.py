"""Which thread each post belongs to, when posts name only their parent.

Mastodon statuses (``in_reply_to_id``) and ActivityPub objects (``inReplyTo``)
say whom they answer, never which conversation they are in. The thread is the
root the replies lead to: items are joined with their parent when the parent is
in the document, and items known to share a thread (the statuses of one
Mastodon ``/context`` answer) are joined too. Each group's root is its member
that answers nothing; a group whose chain leaves the document (the root was not
saved, or is deleted) is named by the outermost missing parent, so its top
items are top-level comments of that thread, as for Hacker News crawls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def assign(
    order: Sequence[str], parents: dict[str, str | None], groups: Iterable[Iterable[str]] = ()
) -> dict[str, tuple[str, bool]]:
    """``{item: (thread name, the thread's root is an item)}`` for every item of ``order``.

    ``parents`` maps every item to its parent (``None``: it answers nothing).
    Iterative union-find: reply chains thousands deep do not recurse.
    """
    boss: dict[str, str] = {item: item for item in order}

    def find(item: str) -> str:
        top = item
        while boss[top] != top:
            top = boss[top]
        while boss[item] != top:  # path compression
            boss[item], item = top, boss[item]
        return top

    def join(one: str, other: str) -> None:
        first, second = find(one), find(other)
        if first != second:
            boss[second] = first

    for item in order:
        parent = parents.get(item)
        if parent is not None and parent in boss:
            join(parent, item)
    for group in groups:
        members = [item for item in group if item in boss]
        for item in members[1:]:
            join(members[0], item)
    names: dict[str, tuple[str, bool]] = {}
    for item in order:  # roots first: a group with a root is named by it
        if parents.get(item) is None:
            names.setdefault(find(item), (item, True))
    for item in order:  # else by the first missing parent, in document order
        parent = parents.get(item)
        if parent is not None and parent not in boss:
            names.setdefault(find(item), (parent, False))
    out: dict[str, tuple[str, bool]] = {}
    for item in order:
        # A group with neither (a reply cycle) is named by its first member.
        out[item] = names.setdefault(find(item), (item, True))
    return out
