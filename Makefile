# One-command entry points for a fresh machine (Python 3.11+ on PATH as python3).
#   make demo   set up .venv with what modtool needs to run (no test or research
#               tools), then open the moderator UI on the sample thread
#               (imported into ./modtool.db and scored; q quits)
#   make test   set up .venv with the development set (.[dev]: pytest, ruff, the
#               real consumer libraries: Ray, ConvoKit, datasets…), then lint and
#               run the three test stages (main, integration, wordpress)
#   make test-wordpress  decisions applied on a real local WordPress (root installs it)
# Both share .venv: after `make test` the demo uses what is there.
# TORCH pins the CPU build that Detoxify runs on; TORCH_FROM says where pip takes
# it from (this machine: the CPU wheel on disk). Elsewhere, for the CPU build
# instead of PyPI's CUDA one:
#   make demo TORCH_FROM='--index-url https://download.pytorch.org/whl/cpu'
# or for CUDA:  make demo TORCH='torch'
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
TORCH_FROM ?=
SAMPLE ?= threads/sample-thread-korea-talks-collapse.txt
BIN := $(VENV)/bin
# --no-compile: Python compiles a module when it is first imported; compiling all
# of torch, transformers and sympy at install time cost ~45 s and ~250 MB here.
PIP := $(BIN)/pip install --quiet --no-compile

.PHONY: setup setup-runtime demo test test-main test-integration test-wordpress lint bench clean

# The development set (tests, linters, the consumers the exports are checked in).
setup: $(VENV)/.installed
# The runtime set: modtool and its dependencies, nothing else.
setup-runtime: $(VENV)/.runtime

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# Editable (-e): the venv runs this checkout's code. pyproject.toml maps the
# package root to this folder (package-dir), so setuptools adds it with a plain
# .pth file and has no "folders with the same name as your package" warning.
$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(PIP) $(TORCH_FROM) "$(TORCH)"
	$(PIP) -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) $(TORCH_FROM) "$(TORCH)"
	$(PIP) -e '.[dev]'
	touch $@ $(VENV)/.runtime

# More steps before the UI opens (a model to fetch, say) go here, each its own line.
# The offline model (toxic-comment-classifier's BiLSTM, 8 MB from the package index)
# gives the demo Detoxify's six attributes without a model hub; without the index
# the demo still opens, scoring with profanity-check (it says why).
demo: setup-runtime
	@$(BIN)/modtool models fetch offline || echo "make demo: the offline model could not be fetched (see above): the demo scores with profanity-check"
	$(BIN)/modtool tui $(SAMPLE)

# The tests in three named stages, each failing the run if it fails:
#   test-main         lint + the main suite (two workers; ~5 minutes on 2 cores)
#   test-integration  a real local Ray cluster, the real package index
#   test-wordpress    decisions applied on a real local WordPress (below)
test: test-main test-integration test-wordpress

test-main: setup
	$(BIN)/ruff check modtool tests benchmarks
	$(BIN)/pytest -n 2 -m "not integration" -p no:cacheprovider

test-integration: setup
	$(BIN)/pytest -m "integration and not wordpress" -p no:cacheprovider

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
