"""Platform credentials: from the environment or a private config file, never from
the command line (it shows in ``ps`` and shell history), never stored in the
database, never printed.

Order: the environment variables a platform names (WordPress:
``MODTOOL_WP_USER`` and ``MODTOOL_WP_APP_PASSWORD``), else the config file
``$MODTOOL_CREDENTIALS``, else ``$XDG_CONFIG_HOME/modtool/credentials.toml``
(``~/.config/modtool/credentials.toml``)::

    [[wordpress]]
    url = "https://news.example"      # the site, as given to --url
    user = "editor"
    app_password = "abcd efgh ijkl mnop qrst uvwx"

The file must be readable by its owner only (``chmod 600``): a file others can
read is refused, as ssh refuses such a key. An entry matches ``--url`` by scheme,
host, port and path (a trailing ``/`` does not matter).
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from modtool.errors import InputError


@dataclass(frozen=True, slots=True)
class Credentials:
    user: str
    secret: str = field(repr=False)
    source: str = ""
    """Where they came from, for messages (``the environment``, a file name)."""

    def __repr__(self) -> str:  # never the secret, even in a traceback
        return f"Credentials(user={self.user!r}, source={self.source!r})"


def config_path() -> Path:
    given = os.environ.get("MODTOOL_CREDENTIALS", "").strip()
    if given:
        return Path(given)
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "modtool" / "credentials.toml"


def lookup(
    platform: str, url: str, *, user_env: str, secret_env: str, secret_key: str
) -> Credentials:
    """The credentials for ``platform`` at ``url``; one line saying where to put them if none."""
    found = find(platform, url, user_env=user_env, secret_env=secret_env, secret_key=secret_key)
    if found is not None:
        return found
    path = config_path()
    raise InputError(
        f"no {platform} credentials for {url}: set {user_env} and {secret_env}, or add a "
        f"[[{platform}]] entry to {path} (readable by you only); never on the command line"
    )


def find(
    platform: str, url: str, *, user_env: str, secret_env: str, secret_key: str
) -> Credentials | None:
    """Like :func:`lookup`, for a platform that works without credentials too
    (``modtool fetch``): ``None`` when none are given anywhere. Half-set variables
    and a bad credentials file are still one line, never silently ignored."""
    user = os.environ.get(user_env, "").strip()
    secret = os.environ.get(secret_env, "").strip()
    if user and secret:
        return Credentials(user, secret, "the environment")
    if user or secret:
        missing = secret_env if user else user_env
        raise InputError(f"{missing} is not set ({user_env} and {secret_env} go together)")
    return _from_file(config_path(), platform, url, secret_key)


def _from_file(path: Path, platform: str, url: str, secret_key: str) -> Credentials | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: is not a regular file")
    if info.st_mode & 0o077:
        raise InputError(
            f"{path}: readable by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"it holds passwords: chmod 600 {path}"
        )
    if info.st_size > 1_000_000:
        raise InputError(f"{path}: larger than 1 MB; not a credentials file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    entries = data.get(platform, [])
    if not isinstance(entries, list):
        raise InputError(f"{path}: [[{platform}]] must be a list of tables (use [[{platform}]])")
    wanted = _same_site(url)
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(f"{path}: [[{platform}]] entry {number} is not a table")
        if _same_site(str(entry.get("url", ""))) != wanted:
            continue
        user, secret = entry.get("user"), entry.get(secret_key)
        if not isinstance(user, str) or not isinstance(secret, str) or not user or not secret:
            raise InputError(
                f"{path}: [[{platform}]] entry {number} needs text values for user and {secret_key}"
            )
        return Credentials(user, secret, str(path))
    return None


def _same_site(url: str) -> tuple[str, str, int | None, str]:
    try:
        parts = urlsplit(url.strip())
        return (
            parts.scheme.lower(),
            (parts.hostname or "").lower(),
            parts.port,
            parts.path.rstrip("/"),
        )
    except ValueError:
        return ("", "", None, "")
