"""The moderation sessions the UI and the CLI drive (no Textual, no torch).

* :class:`Session` (``thread.py``): one thread in memory, as a reply tree and a
  queue; for the tree view.
* :class:`SiteSession` (``site.py``): the whole database as one queue, read from
  SQL a page at a time; for the site queue, the author view and ``modtool queue``.
* ``bulk.py``: one label on many comments (a subtree, an author, a selection) as
  one undoable group; ``claims.py``: the lease on the comment a UI shows.

Both sessions answer the same questions about a comment (``comment``,
``headline``, ``scores_of``, ``mine``, ``others``, ``edited_since_review``, …), so
the queue rows and the detail pane draw from either.
"""

from modtool.moderation.common import (
    ANY,
    SITE_SORTS,
    SORT_NEWEST,
    SORT_POSITION,
    SORT_SCORE,
    SORT_THREAD,
    SORTS,
    SUSPECT,
    Highlight,
    LabelDefLike,
    PolicyLike,
    Progress,
    QueueFilter,
)
from modtool.moderation.rows import LazyRows
from modtool.moderation.site import SiteSession, site_headline
from modtool.moderation.thread import Node, Session

__all__ = [
    "ANY",
    "SITE_SORTS",
    "SORTS",
    "SORT_NEWEST",
    "SORT_POSITION",
    "SORT_SCORE",
    "SORT_THREAD",
    "SUSPECT",
    "Highlight",
    "LabelDefLike",
    "LazyRows",
    "Node",
    "PolicyLike",
    "Progress",
    "QueueFilter",
    "Session",
    "SiteSession",
    "site_headline",
]
