"""What a plain install (``pip install modtool``, ``make demo``) can do without the
development extras (issue 17.2): a Pushshift ``.zst`` dump imports.

The runtime set is computed from the installed metadata: modtool's requirements
without extras, and theirs, transitively. A child process then refuses to import
any installed module outside that set (pytest, pyarrow, pandas, Ray, ConvoKit…)
and runs ``modtool import`` on a real zstd-compressed dump, as the dumps are made
(one stream, no content size). ``benchmarks/install_bench.py`` does the same in
a freshly made runtime-only venv.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

FIXTURE = Path(__file__).parent / "fixtures" / "pushshift" / "RC_2024-01-sample.ndjson"

CHILD = r"""
import importlib.abc, json, sys
blocked = set(json.loads(sys.argv[1]))
tried = []

class RefuseDev(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            tried.append(name)
            raise ImportError(f"{name} is not in the runtime set")
        return None

sys.meta_path.insert(0, RefuseDev())
from modtool.cli import main
try:
    main(["import", "--db", sys.argv[2], sys.argv[3]], prog_name="modtool")
except SystemExit as exc:
    print(json.dumps({"code": exc.code, "tried": sorted(set(tried))}), file=sys.stderr)
"""


def runtime_distributions() -> set[str]:
    """modtool's requirements without extras, and theirs, transitively (installed ones)."""
    seen: set[str] = set()
    todo = ["modtool"]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python
        seen.add(name)
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def dev_only_modules(runtime: set[str]) -> list[str]:
    """Top-level modules that only distributions outside the runtime set provide."""
    providers = metadata.packages_distributions()
    return sorted(
        module
        for module, dists in providers.items()
        if module.isidentifier()
        and module not in sys.stdlib_module_names
        and not any(canonicalize_name(d) in runtime for d in dists)
    )


def test_a_zst_dump_imports_with_the_runtime_set_alone(tmp_path: Path) -> None:
    import zstandard

    runtime = runtime_distributions()
    assert "zstandard" in runtime  # a runtime dependency, not an extra
    blocked = dev_only_modules(runtime)
    for module in ("pytest", "pyarrow", "pandas", "ray", "convokit", "datasets", "hypothesis"):
        assert module in blocked, module  # the check really hides the development set
    dump = tmp_path / "RC_2024-01.zst"
    compressor = zstandard.ZstdCompressor(level=3, write_content_size=False)
    dump.write_bytes(compressor.compress(FIXTURE.read_bytes()))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(blocked), str(tmp_path / "z.db"), str(dump)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    assert result == {"code": 0, "tried": []}, done.stderr
    # 1 submission and 8 comments: 6 in 19abc01 (one an orphan), 2 in 19zzz99
    assert "2 threads stored, 8 comments" in done.stdout, done.stdout
