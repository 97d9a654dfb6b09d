"""Where policies are: a path, ``./policies/NAME.toml``, or a shipped name.

The policies shipped inside the package (``modtool/policies/*.toml``) are read
with :mod:`importlib.resources`, so they work after a plain ``pip install``.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from modtool.policy.errors import PolicyError

DEFAULT_POLICY = "news-comments"
LOCAL_DIR = "policies"


def shipped_dir() -> Traversable:
    return resources.files("modtool").joinpath("policies")


def shipped_policies() -> dict[str, Traversable]:
    """``{name: resource}`` of the policies shipped with modtool."""
    folder = shipped_dir()
    if not folder.is_dir():
        return {}
    return {
        item.name[: -len(".toml")]: item
        for item in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if item.name.endswith(".toml") and item.is_file()
    }


def local_policies(cwd: Path | None = None) -> dict[str, Path]:
    """``{name: path}`` of ``./policies/*.toml`` in the working folder."""
    folder = (cwd or Path.cwd()) / LOCAL_DIR
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.toml")) if path.is_file()}


def resolve_policy_path(name_or_path: str | Path | Traversable) -> Path | Traversable:
    """A policy file from a path, a local name (``./policies/NAME.toml``) or a shipped name."""
    if not isinstance(name_or_path, str | Path):
        return name_or_path
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        raise PolicyError(f"{text}: is a folder; name a .toml policy file")
    looks_like_path = (
        isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml")
    )
    if not looks_like_path:
        local = local_policies()
        if text in local:
            return local[text]
        shipped = shipped_policies()
        if text in shipped:
            return shipped[text]
    known = sorted(set(local_policies()) | set(shipped_policies()))
    hint = f" (known policies: {', '.join(known)})" if known else ""
    raise PolicyError(f"{text}: no such policy file or policy name{hint}")
