"""The converted offline model in modtool's cache: where it lives, writing it
whole, and reading it back with every hash checked.

Layout (``modtool_cache()/offline/toxic-comment-classifier-0.3.0/``, or any
folder ``models fetch offline --to DIR`` wrote)::

    weights.npz       the BiLSTM's arrays (np.load(..., allow_pickle=False))
    vocabulary.json   the tokenizer's rules and its 19,999 words
    manifest.json     source wheel and its sha256, hashes of the two files, licence
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modtool.errors import InputError
from modtool.scoring.offline.bilstm import LAYERS, load_arrays, weights_digest
from modtool.scoring.offline.tokenizer import Vocabulary
from modtool.scoring.sources import modtool_cache

PACKAGE = "toxic-comment-classifier"
VERSION = "0.3.0"
WHEEL = "toxic_comment_classifier-0.3.0-py3-none-any.whl"
WHEEL_SHA256 = "e5af0f052dbb0493d585b5b486dd9b61ec13d54c0e3e2ad93c519114bb404948"
FOLDER = f"{PACKAGE}-{VERSION}"
CLASSES = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
FORMAT = 1
WEIGHTS, VOCABULARY, MANIFEST = "weights.npz", "vocabulary.json", "manifest.json"
LICENCE = "MIT"
TRAINING_DATA = (
    "Jigsaw Toxic Comment Classification Challenge train set (159,571 Wikipedia talk-page "
    "comments; labels CC0, text CC BY-SA 3.0)"
)


def cache_folder() -> Path:
    return modtool_cache() / "offline" / FOLDER


@dataclass(frozen=True)
class Converted:
    """A checked converted model: its arrays, vocabulary and manifest."""

    folder: Path
    arrays: dict[str, Any]
    vocabulary: Vocabulary
    manifest: dict[str, Any]

    @property
    def digest(self) -> str:
        """One hash of weights and vocabulary (the model id's source)."""
        return hashlib.sha256(
            f"{self.manifest['weights_sha256']}|{self.manifest['vocabulary_sha256']}".encode()
        ).hexdigest()


def installed(folder: Path | None = None) -> Path | None:
    """``folder`` (default: the cache's) if a converted model's manifest is there."""
    folder = folder or cache_folder()
    return folder if (folder / MANIFEST).is_file() else None


def write(folder: Path, arrays: dict[str, Any], vocabulary: Vocabulary, source_sha: str) -> None:
    """Write the three files into a temporary folder beside ``folder``, then move it
    into place (replacing an older copy): a failure leaves ``folder`` as it was."""
    import numpy as np

    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        with (work / WEIGHTS).open("wb") as handle:
            np.savez(handle, **{name: arrays[name] for name in LAYERS})
        text = vocabulary.as_json().encode("utf-8")
        (work / VOCABULARY).write_bytes(text)
        manifest = {
            "format": FORMAT,
            "package": PACKAGE,
            "version": VERSION,
            "wheel": WHEEL,
            "wheel_sha256": source_sha,
            "classes": list(CLASSES),
            "weights_sha256": weights_digest(arrays),
            "vocabulary_sha256": hashlib.sha256(text).hexdigest(),
            "licence": LICENCE,
            "training_data": TRAINING_DATA,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
            os.replace(work, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read(folder: Path) -> Converted:
    """Load and check a converted model; one-line errors naming the file."""
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT}")
        for key in ("weights_sha256", "vocabulary_sha256", "classes"):
            manifest[key]
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"{manifest_path}: not a modtool offline-model manifest ({exc})") from None
    arrays = load_arrays(folder / WEIGHTS)
    if weights_digest(arrays) != manifest["weights_sha256"]:
        raise InputError(
            f"{folder / WEIGHTS}: the weights do not match their manifest (changed or "
            "damaged): run `modtool models fetch offline` again"
        )
    vocabulary_path = folder / VOCABULARY
    try:
        text = vocabulary_path.read_bytes()
    except OSError as exc:
        raise InputError(f"{vocabulary_path}: cannot be read ({exc})") from None
    if hashlib.sha256(text).hexdigest() != manifest["vocabulary_sha256"]:
        raise InputError(
            f"{vocabulary_path}: the vocabulary does not match its manifest (changed or "
            "damaged): run `modtool models fetch offline` again"
        )
    vocabulary = Vocabulary.from_json(vocabulary_path)
    if vocabulary.num_words > arrays["embedding"].shape[0]:
        raise InputError(f"{vocabulary_path}: more words than the embedding has rows")
    if len(manifest["classes"]) != arrays["output_bias"].shape[0]:
        raise InputError(f"{manifest_path}: the classes do not match the output layer")
    return Converted(folder, arrays, vocabulary, manifest)
