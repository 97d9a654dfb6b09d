"""``modtool models fetch``: save what an air-gapped machine needs for Detoxify.

On a connected machine it downloads the release checkpoint and the Hugging
Face config and tokenizer the checkpoint names (e.g. ``bert-base-uncased``),
and saves them into one folder::

    DIR/toxic_original-c1212f89.ckpt
    DIR/bert-base-uncased/   (config.json with num_labels set, tokenizer files)

Copy DIR across and run ``modtool score --scorer detoxify --checkpoint
DIR/toxic_original-c1212f89.ckpt --hf-config DIR/bert-base-uncased``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from modtool.errors import InputError, ModtoolError
from modtool.scoring.sources import MODEL_TYPES, RELEASE_FILES, release_url

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Fetched:
    checkpoint: Path
    hf_config: Path

    def command(self) -> str:
        return (
            f"modtool score --scorer detoxify --checkpoint {self.checkpoint} "
            f"--hf-config {self.hf_config}"
        )


def fetch(model_type: str, to: Path, *, url: str | None = None) -> Fetched:
    """Download ``model_type``'s checkpoint (from ``url`` if given) and its HF
    config/tokenizer into ``to``; return where they are. Nothing half-written
    is left behind: everything is written into a temporary folder beside ``to``,
    which becomes ``to`` (or is merged into an existing ``to``) only on success."""
    if model_type not in MODEL_TYPES:
        raise InputError(
            f"unknown Detoxify model {model_type!r}: choose one of {', '.join(MODEL_TYPES)}"
        )
    if to.exists() and not to.is_dir():
        raise InputError(f"{to}: exists and is not a directory")
    # Everything goes into a temporary folder beside DIR, moved into place only
    # when complete: a failure leaves no DIR (or DIR as it was) behind.
    made = to.parent
    while not made.parent.exists():
        made = made.parent
    made_parents = not to.parent.exists()
    to.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{to.name}.", suffix=".partial", dir=to.parent))
    try:
        try:
            fetched = _fetch_into(model_type, work, to, url)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            if made_parents:
                shutil.rmtree(made, ignore_errors=True)
            raise
        if not to.exists():
            work.rename(to)
        else:
            for item in work.iterdir():
                target = to / item.name
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(item, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return Fetched(checkpoint=to / fetched.checkpoint.name, hf_config=to / fetched.hf_config.name)


def _fetch_into(model_type: str, work: Path, to: Path, url: str | None) -> Fetched:
    source = url or release_url(model_type)
    name = RELEASE_FILES[model_type][1]
    checkpoint = work / name
    if (to / name).is_file():
        shutil.copy2(to / name, checkpoint)
    else:
        _download(source, checkpoint)

    import transformers

    from modtool.scoring.detoxify_backend import _quiet, load_checkpoint_file

    _quiet(transformers)
    arch = load_checkpoint_file(checkpoint)["config"]["arch"]["args"]
    named = str(arch["model_type"])
    hf_dir = work / Path(named).name
    try:
        model_class = getattr(transformers, str(arch["model_name"]))
        tokenizer_class = getattr(transformers, str(arch["tokenizer_name"]))
        config = model_class.config_class.from_pretrained(
            named, num_labels=int(arch["num_classes"])
        )
        tokenizer = tokenizer_class.from_pretrained(named)
    except Exception as exc:
        raise ModtoolError(
            f"cannot fetch the config/tokenizer {named!r} "
            f"({str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r})"
        ) from None
    hf_dir.mkdir()
    config.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    return Fetched(checkpoint=checkpoint, hf_config=hf_dir)


def _download(url: str, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        with (
            urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response,
            partial.open("wb") as out,
        ):
            while chunk := response.read(1 << 20):
                out.write(chunk)
    except (OSError, ValueError) as exc:
        partial.unlink(missing_ok=True)
        raise ModtoolError(f"cannot download {url}: {exc}") from None
    os.replace(partial, target)
