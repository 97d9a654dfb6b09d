# One-command entry points for a fresh machine (Python 3.11+ on PATH as python3).
#   make demo   set up .venv, then open the moderator UI on the sample thread
#               (imports it into ./modtool.db and scores it; q quits)
#   make test   set up .venv, then run the test suite
#   make test-wordpress  decisions applied on a real local WordPress (root installs it)
# TORCH pins the CPU build that Detoxify runs on; override for CUDA, e.g.
#   make demo TORCH='torch'
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
SAMPLE ?= threads/sample-thread-korea-talks-collapse.txt
BIN := $(VENV)/bin

.PHONY: setup demo test test-wordpress lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH)" -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/modtool tui $(SAMPLE)

test: setup
	$(BIN)/ruff check modtool tests benchmarks
	$(BIN)/pytest

# Decisions applied on a real WordPress (Debian's wordpress 6.1, php-cli, php-mysql,
# mariadb-server): installs the packages with apt-get when root, fails (never
# skips) when they are missing and cannot be installed.
test-wordpress: setup
	sh tests/integration/wordpress/install-packages.sh
	$(BIN)/pytest -m wordpress -p no:cacheprovider tests/integration/wordpress

lint: setup
	$(BIN)/ruff check modtool tests benchmarks
	$(BIN)/ruff format --check modtool tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
