"""``modtool fetch URL``: a thread fetched from its platform's public API and
imported through the same pipeline as a saved file.

One module per platform, behind the small protocol of :mod:`~modtool.fetch.base`
(URL → thread; pages → the answers its importer reads), listed in
:data:`FETCHERS`; :mod:`~modtool.fetch.pages` caches, paces and bounds every
request; :mod:`~modtool.fetch.runner` picks the platform, keeps the cache
folder's state (a stopped fetch continues) and imports the result.

Modules are imported only when a URL needs them; none imports the CLI.
"""

from __future__ import annotations

FETCHERS: dict[str, str] = {
    # --format name: module in modtool.fetch (URLs are recognised in this order:
    # the sites known by host first, then the self-hosted software by path shape)
    "hackernews": "hackernews",
    "reddit": "reddit",
    "bluesky": "bluesky",
    "discourse": "discourse",
    "mastodon": "mastodon",
    "lemmy": "lemmy",
    "wordpress": "wordpress",
}

__all__ = ["FETCHERS"]
