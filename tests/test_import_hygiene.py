"""Commands that do not score must not import torch; the domain never imports Textual."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = [
    "torch",
    "transformers",
    "detoxify",
    "textual",
    "sklearn",
    "profanity_check",
    "pandas",
    "numpy",
    "ray",
    "pyarrow",
    "datasets",
]


def loaded_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(out.stdout))
    return {name for name in HEAVY if name in modules}


@pytest.mark.parametrize(
    "statement",
    [
        "import modtool.store",
        "import modtool.importers",
        "import modtool.ingest",
        "import modtool.safe_text",
        "import modtool.cli",
        "from modtool.cli import main",
        "import modtool.fetch.runner, modtool.fetch.reddit, modtool.fetch.wordpress, "
        "modtool.fetch.bluesky, modtool.cli.fetch",
    ],
)
def test_no_heavy_imports(statement: str) -> None:
    assert loaded_after(statement) == set()


def test_cli_commands_that_do_not_score_stay_light(tmp_path, sample_path) -> None:
    """Run real non-scoring commands and inspect what they imported."""
    code = (
        "import sys, json, atexit\n"
        "atexit.register(lambda: print('MODULES=' + json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
        "from modtool.cli import main\n"
        "main()\n"
    )
    for args in (["import", str(sample_path)], ["threads"], ["tree"]):
        out = subprocess.run(
            [sys.executable, "-c", code, *args, "--db", str(tmp_path / "db.sqlite")]
            if args[0] != "tree"
            else [sys.executable, "-c", code, "tree", "--db", str(tmp_path / "db.sqlite")],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        line = next(x for x in out.stderr.splitlines() if x.startswith("MODULES="))
        modules = set(json.loads(line.removeprefix("MODULES=")))
        assert not [name for name in HEAVY if name in modules], args
        # Formats load their parsers only when a document needs them: a plain-text
        # import, `threads` and `tree` never load lxml.
        assert not [name for name in XML_HTML if name in modules], args


XML_HTML = ["lxml", "modtool.importers.wxr", "modtool.importers.reddit"]


def test_importers_load_lazily() -> None:
    assert not [name for name in XML_HTML if name in loaded_modules("import modtool.ingest")]


def loaded_modules(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))
