"""Choosing a scorer by name: ``detoxify``, ``profanity-check`` or ``auto``.

``auto`` picks Detoxify when its weights can be had *now* (a checkpoint was
given, the release checkpoint is in torch's hub cache, or the download host
answers within :data:`PROBE_SECONDS`); otherwise ``profanity-check``, and the
scorer's ``note`` says in one line why and how to get Detoxify. Nothing here
imports torch.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.scoring.base import Scorer

SCORERS = ("auto", "detoxify", "profanity-check")
MODEL_TYPES = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")
DOWNLOAD_HOST = "github.com"
PROBE_SECONDS = 2.0

# Detoxify 0.5.4's release files (detoxify.MODEL_URLS), kept here so that
# checking the cache does not import torch.
RELEASE_FILES = {
    "original": ("v0.1-alpha", "toxic_original-c1212f89.ckpt"),
    "unbiased": ("v0.3-alpha", "toxic_debiased-c7548aa0.ckpt"),
    "multilingual": ("v0.4-alpha", "multilingual_debiased-0b549669.ckpt"),
    "original-small": ("v0.1.2", "original-albert-0e1d6498.ckpt"),
    "unbiased-small": ("v0.1.2", "unbiased-albert-c8519128.ckpt"),
}


def release_url(model_type: str) -> str:
    tag, name = RELEASE_FILES[model_type]
    return f"https://github.com/unitaryai/detoxify/releases/download/{tag}/{name}"


def torch_hub_dir() -> Path:
    """Where ``torch.hub`` caches downloads (same rule as torch, without importing it)."""
    if os.environ.get("TORCH_HOME"):
        return Path(os.environ["TORCH_HOME"]) / "hub"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "torch" / "hub"


def cached_checkpoint(model_type: str) -> Path | None:
    """The release checkpoint of ``model_type`` in torch's hub cache, if it is there."""
    path = torch_hub_dir() / "checkpoints" / RELEASE_FILES[model_type][1]
    return path if path.is_file() else None


def offline_requested() -> bool:
    """``MODTOOL_OFFLINE`` or ``HF_HUB_OFFLINE`` set to a true value."""
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
        for name in ("MODTOOL_OFFLINE", "HF_HUB_OFFLINE")
    )


def probe_network(host: str = DOWNLOAD_HOST, timeout: float = PROBE_SECONDS) -> str | None:
    """``None`` if ``host:443`` accepts a TCP connection within ``timeout`` seconds,
    else the reason. DNS lookups cannot be given a timeout, so the probe runs in a
    daemon thread and is abandoned when the time is up."""
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                outcome.append(None)
        except OSError as exc:
            outcome.append(str(exc) or type(exc).__name__)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        return f"no answer from {host} within {timeout:g} s"
    return outcome[0]


def make_scorer(name: str = "auto", **options: Any) -> Scorer:
    """Build a scorer by name.

    Options (Detoxify): ``model_type`` (default ``original``), ``checkpoint``
    (a local Detoxify ``.ckpt``, a pickle: only give files you trust),
    ``hf_config`` (a local Hugging Face config/tokenizer directory), ``device``
    (``cpu``, ``cuda``, ``cuda:1`` …), ``precision``
    (``fp32``, ``bf16``, ``int8``; ``quantize=True`` is an alias of int8),
    ``num_threads``. ``profanity-check`` takes none. With ``auto`` the
    returned scorer's ``note`` is the one-line reason when it fell back.
    """
    if name == "profanity-check":
        from modtool.scoring.profanity import ProfanityCheckScorer

        return ProfanityCheckScorer()
    if name == "detoxify":
        return _detoxify(**options)
    if name != "auto":
        raise InputError(f"unknown scorer {name!r}: choose one of {', '.join(SCORERS)}")
    if options.get("checkpoint"):
        return _detoxify(**options)  # a file the user named: its errors are theirs to see
    reason = _detoxify_unavailable(options)
    if reason is None:
        try:
            return _detoxify(**options)
        except ModtoolError as exc:
            reason = str(exc)
    from modtool.scoring.profanity import ProfanityCheckScorer

    model_type = options.get("model_type") or "original"
    note = (
        f"using profanity-check, not Detoxify: {reason}. To use Detoxify offline, run "
        f"`modtool models fetch {model_type} --to DIR` on a connected machine and pass "
        "--checkpoint and --hf-config"
    )
    return ProfanityCheckScorer(note=note)


def _detoxify(**options: Any) -> Scorer:
    from modtool.scoring.detoxify_backend import DetoxifyScorer

    return DetoxifyScorer(**options)


def _detoxify_unavailable(options: dict[str, Any]) -> str | None:
    """Why Detoxify cannot be had right now, or ``None`` if it can (probably)."""
    if options.get("checkpoint"):
        return None
    model_type = options.get("model_type") or "original"
    if model_type not in RELEASE_FILES:
        return None  # let the backend report the bad name
    if cached_checkpoint(model_type) is not None:
        return None
    if offline_requested():
        return (
            f"the Detoxify {model_type} weights are not cached and offline mode is set "
            "(HF_HUB_OFFLINE/MODTOOL_OFFLINE)"
        )
    problem = probe_network()
    if problem is not None:
        return (
            f"the Detoxify {model_type} weights are not cached and {DOWNLOAD_HOST} "
            f"cannot be reached ({problem})"
        )
    return None
