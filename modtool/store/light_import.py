"""Import sqlite-utils without its optional pandas/numpy type support.

``sqlite_utils.db`` imports pandas and numpy at import time when they are
installed (about 0.5 s) only to map their scalar types on insert. modtool
never hands pandas or numpy values to sqlite-utils (scores are converted to
``float`` first), so every command would pay that start-up cost for nothing.
:mod:`modtool.store` imports this module before anything else.
"""

from __future__ import annotations

import sys

_OPTIONAL = ("pandas", "numpy")


def import_sqlite_utils() -> None:
    if "sqlite_utils" in sys.modules:
        return
    blocked = [name for name in _OPTIONAL if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name) is None:
                del sys.modules[name]


import_sqlite_utils()
