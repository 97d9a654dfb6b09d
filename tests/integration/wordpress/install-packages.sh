#!/bin/sh
# What the WordPress integration tests need: Debian's wordpress (6.1), PHP and MariaDB.
# Installs them with apt-get when run as root; otherwise says what is missing and fails.
set -eu
PACKAGES="wordpress php-cli php-mysql mariadb-server"
have() { [ -e /usr/share/wordpress/wp-load.php ] && command -v php >/dev/null 2>&1 \
    && { command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; }; }
if have; then
    echo "install-packages: wordpress, php and mariadb are installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-packages: missing Debian packages ($PACKAGES) and not root: run as root, or ask an administrator to apt-get install them" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-packages: no apt-get on this machine: install $PACKAGES (WordPress 6.1, PHP 8.2, MariaDB 10.11 were tested) by hand" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# The packages' own services are not started (policy-rc.d may refuse it anyway):
# the tests start their own MariaDB and PHP server on a socket and on 127.0.0.1.
apt-get install -y --no-install-recommends $PACKAGES
have || { echo "install-packages: installed, but wp-load.php, php or mariadbd is still missing" >&2; exit 1; }
