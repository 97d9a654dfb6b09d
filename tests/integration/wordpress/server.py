"""A real WordPress (Debian's ``wordpress`` package) on 127.0.0.1 for the tests.

* **MariaDB** (``mariadbd``) with its own data directory and socket in a temporary
  folder, ``--skip-networking``: it listens on that socket only, no TCP port.
* **WordPress** from ``/usr/share/wordpress``: its top-level PHP files are copied
  into a document root of our own with our ``wp-config.php`` (Debian's reads
  ``/etc/wordpress/config-HOST.php``; a copied ``wp-load.php`` makes ``ABSPATH``
  our folder), ``wp-admin``/``wp-includes`` are symlinks, ``wp-content`` is ours.
  ``WP_ENVIRONMENT_TYPE`` is ``local``, which is what lets WordPress 6.1 accept
  application passwords over plain HTTP (``wp_is_application_passwords_supported``
  in wp-includes/user.php: ``is_ssl() || 'local' === wp_get_environment_type()``).
* **PHP's built-in server**, ``php -S 127.0.0.1:PORT``.

The site is installed by WordPress's own ``wp_install`` and filled through
``wp_insert_post``/``wp_insert_comment`` (``php/*.php``). Nothing is installed
here: :func:`missing` names what is absent and the fixture fails with it
(``make test-wordpress`` installs the packages when run as root).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

WORDPRESS = Path("/usr/share/wordpress")
PHP = Path(__file__).parent / "php"
NEEDED = {
    "mariadbd": "mariadb-server",
    "mariadb-install-db": "mariadb-server",
    "mariadb": "mariadb-client",
    "php": "php-cli",
}
CONFIG = """<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wordpress' );
define( 'DB_PASSWORD', 'wordpress' );
define( 'DB_HOST', 'localhost:{socket}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'WP_CONTENT_DIR', __DIR__ . '/wp-content' );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'DISABLE_WP_CRON', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTH_KEY', '{salt}a' );
define( 'SECURE_AUTH_KEY', '{salt}b' );
define( 'LOGGED_IN_KEY', '{salt}c' );
define( 'NONCE_KEY', '{salt}d' );
define( 'AUTH_SALT', '{salt}e' );
define( 'SECURE_AUTH_SALT', '{salt}f' );
define( 'LOGGED_IN_SALT', '{salt}g' );
define( 'NONCE_SALT', '{salt}h' );
$table_prefix = 'wp_';
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""


def missing() -> list[str]:
    """What this machine lacks to run the WordPress tests (empty: nothing)."""
    lacking = [
        f"{tool} (package {package})" for tool, package in NEEDED.items() if not _which(tool)
    ]
    if not (WORDPRESS / "wp-load.php").exists():
        lacking.append(f"{WORDPRESS}/wp-load.php (package wordpress)")
    return lacking


def _which(tool: str) -> str | None:
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WordPressServer:
    """Start with :meth:`start`, stop with :meth:`stop` (only the processes it started)."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="modtool-wp-", dir=base))
        self.root = self.base / "site"
        self.socket = self.base / "mysqld.sock"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.user = self.app_password = ""
        self.reader = self.reader_password = ""
        self.server_log = self.base / "php-server.log"

    # -- life cycle ------------------------------------------------------------------
    def start(self) -> WordPressServer:
        try:
            self._start_database()
            self._make_root()
            self._install()
            self._start_php()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        self.processes.clear()
        shutil.rmtree(self.base, ignore_errors=True)

    def _start_database(self) -> None:
        data = self.base / "mysql"
        _run(
            [
                _which("mariadb-install-db") or "mariadb-install-db",
                "--no-defaults",
                f"--datadir={data}",
                f"--user={_user()}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ]
        )
        log = open(self.base / "mysqld.log", "wb")  # noqa: SIM115 - lives as long as the server
        self.processes.append(
            subprocess.Popen(
                [
                    _which("mariadbd") or "mariadbd",
                    "--no-defaults",
                    f"--datadir={data}",
                    f"--socket={self.socket}",
                    f"--pid-file={self.base / 'mysqld.pid'}",
                    "--skip-networking",
                    f"--user={_user()}",
                    "--skip-log-bin",
                    "--innodb-buffer-pool-size=32M",
                    f"--log-error={self.base / 'mysqld.err'}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.monotonic() + 60
        while not self.socket.exists():
            if self.processes[-1].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not start: {self._tail('mysqld.err')}")
            time.sleep(0.1)
        self.sql(
            "CREATE DATABASE wordpress CHARACTER SET utf8mb4; "
            "CREATE USER wordpress@localhost IDENTIFIED BY 'wordpress'; "
            "GRANT ALL ON wordpress.* TO wordpress@localhost;"
        )

    def sql(self, statements: str) -> str:
        return _run(
            [
                _which("mariadb") or "mariadb",
                "--no-defaults",
                f"--socket={self.socket}",
                "-uroot",
                "--batch",
                "-e",
                statements,
            ]
        )

    def _make_root(self) -> None:
        self.root.mkdir()
        for item in WORDPRESS.iterdir():
            if item.is_file() and item.suffix == ".php" and item.name != "wp-config.php":
                shutil.copy2(item, self.root / item.name)
        for name in ("wp-admin", "wp-includes"):
            (self.root / name).symlink_to(WORDPRESS / name)
        content = self.root / "wp-content"
        content.mkdir()
        for name in ("themes", "plugins", "languages"):
            if (WORDPRESS / "wp-content" / name).exists():
                (content / name).symlink_to(WORDPRESS / "wp-content" / name)
        (self.root / "wp-config.php").write_text(
            CONFIG.format(socket=self.socket, salt=os.urandom(16).hex())
        )

    def _install(self) -> None:
        made = json.loads(self.php("install.php", self.url))
        self.user, self.app_password = made["user"], made["app_password"]
        self.reader, self.reader_password = made["reader"], made["reader_password"]

    def _start_php(self) -> None:
        log = open(self.server_log, "wb")  # noqa: SIM115 - lives as long as the server
        self.processes.append(
            subprocess.Popen(
                [_which("php") or "php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/wp-json/", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.processes[-1].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"php -S did not start: {self.server_log.read_text()[-500:]}")
            time.sleep(0.1)

    # -- using it ------------------------------------------------------------------------
    def php(self, script: str, *args: str) -> str:
        """Run ``php/SCRIPT`` against this site; its standard output."""
        return _run([_which("php") or "php", str(PHP / script), str(self.root), *args])

    def add_content(self, spec: dict) -> dict:
        path = self.base / "content.json"
        path.write_text(json.dumps(spec))
        return json.loads(self.php("content.php", str(path)))

    def export_wxr(self, target: Path) -> Path:
        target.write_text(self.php("export.php"), encoding="utf-8")
        return target

    def comments(self) -> dict[int, dict]:
        return {int(k): v for k, v in json.loads(self.php("comments.php")).items()}

    def requests_logged(self) -> list[str]:
        """``METHOD /path`` of every request the PHP server answered so far."""
        lines = self.server_log.read_text(errors="replace").splitlines()
        return [line.split("]: ", 1)[1] for line in lines if "]: " in line]

    def _tail(self, name: str) -> str:
        path = self.base / name
        return path.read_text(errors="replace")[-800:] if path.exists() else "(no log)"


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:2])} failed ({done.returncode}): "
            f"{(done.stderr or done.stdout)[-800:]}"
        )
    return done.stdout
