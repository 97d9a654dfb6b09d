"""The real WordPress for the tests in this folder: started once per run, stopped at the end.

A machine without the packages FAILS these tests with what is missing and how to
get it (``make test-wordpress`` installs them as root); they never skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.wordpress.server import WordPressServer, missing


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressServer]:
    lacking = missing()
    if lacking:
        pytest.fail(
            "the WordPress tests need a local WordPress, PHP and MariaDB; missing: "
            + ", ".join(lacking)
            + ". Install them with `make test-wordpress` as root (it runs "
            "tests/integration/wordpress/install-packages.sh: apt-get install wordpress "
            "php-cli php-mysql mariadb-server)",
            pytrace=False,
        )
    server = WordPressServer(tmp_path_factory.mktemp("wordpress")).start()
    yield server
    server.stop()
