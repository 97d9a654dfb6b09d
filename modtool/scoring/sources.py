"""Where model weights come from and whether they can be had now (no torch, no numpy).

The one module both the chooser (:mod:`modtool.scoring.registry`) and the
backends (:mod:`modtool.scoring.detoxify_backend`, :mod:`modtool.scoring.offline`)
import for the facts they share: Detoxify's release files and torch's hub
cache, modtool's own cache folder, the offline switch and the network probe.
Imports flow one way: registry → backends → sources.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from pathlib import Path

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


def user_cache() -> Path:
    """``$XDG_CACHE_HOME``, else ``~/.cache``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache"))


def torch_hub_dir() -> Path:
    """Where ``torch.hub`` caches downloads (same rule as torch, without importing it)."""
    if os.environ.get("TORCH_HOME"):
        return Path(os.environ["TORCH_HOME"]) / "hub"
    return user_cache() / "torch" / "hub"


def modtool_cache() -> Path:
    """modtool's own cache folder: ``$MODTOOL_CACHE``, else ``<user cache>/modtool``."""
    configured = os.environ.get("MODTOOL_CACHE", "").strip()
    return Path(configured) if configured else user_cache() / "modtool"


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
