"""Choosing a scorer by name: ``detoxify``, ``offline``, ``profanity-check``,
``site`` or ``auto``.

``auto`` picks, in this order, saying why in the scorer's ``note`` whenever it
did not get Detoxify:

1. Detoxify when its weights are here (a checkpoint was given, or the release
   checkpoint is in torch's hub cache);
2. ``offline`` when its converted weights are in modtool's cache
   (``modtool models fetch offline``);
3. Detoxify when its weights can be downloaded now (the download host answers
   within :data:`PROBE_SECONDS`, and offline mode is not set);
4. ``profanity-check``.

Nothing here imports torch or numpy; imports flow one way (registry →
backends → :mod:`modtool.scoring.sources`).
"""

from __future__ import annotations

from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.scoring.base import Scorer
from modtool.scoring.sources import (
    DOWNLOAD_HOST,
    MODEL_TYPES,
    PROBE_SECONDS,
    RELEASE_FILES,
    cached_checkpoint,
    offline_requested,
    probe_network,
    release_url,
    torch_hub_dir,
)

__all__ = [
    "DOWNLOAD_HOST",
    "MODEL_TYPES",
    "PROBE_SECONDS",
    "RELEASE_FILES",
    "SCORERS",
    "cached_checkpoint",
    "make_scorer",
    "offline_requested",
    "probe_network",
    "release_url",
    "torch_hub_dir",
]

SCORERS = ("auto", "detoxify", "offline", "profanity-check", "site")


def make_scorer(name: str = "auto", **options: Any) -> Scorer:
    """Build a scorer by name.

    Options (Detoxify): ``model_type`` (default ``original``), ``checkpoint``
    (a local Detoxify ``.ckpt``, a pickle: only give files you trust),
    ``hf_config`` (a local Hugging Face config/tokenizer directory), ``device``
    (``cpu``, ``cuda``, ``cuda:1`` …), ``precision``
    (``fp32``, ``bf16``, ``int8``; ``quantize=True`` is an alias of int8),
    ``num_threads``. ``offline`` and ``profanity-check`` take none. ``site``
    takes ``store`` (the :class:`~modtool.store.Store` its models live in) and
    ``model_id`` (default: the newest site model). With ``auto`` the returned
    scorer's ``note`` is the one-line reason when it did not get Detoxify.
    """
    if name == "profanity-check":
        from modtool.scoring.profanity import ProfanityCheckScorer

        return ProfanityCheckScorer()
    if name == "offline":
        from modtool.scoring.offline.scorer import OfflineScorer

        return OfflineScorer()
    if name == "site":
        from modtool.scoring.site import SiteScorer

        return SiteScorer(options.get("store"), options.get("model_id"))
    if name == "detoxify":
        return _detoxify(**options)
    if name != "auto":
        raise InputError(f"unknown scorer {name!r}: choose one of {', '.join(SCORERS)}")
    options.pop("store", None)
    options.pop("model_id", None)
    if options.get("checkpoint"):
        return _detoxify(**options)  # a file the user named: its errors are theirs to see
    model_type = options.get("model_type") or "original"
    reason = _detoxify_not_here(model_type)
    problem = None
    if reason is None:
        try:
            return _detoxify(**options)
        except ModtoolError as exc:  # e.g. a damaged cached checkpoint: not tried again
            reason = problem = str(exc)
    offline = _offline(reason)
    if not isinstance(offline, str):
        return offline
    offline_reason = offline
    if problem is None and (problem := _cannot_download(model_type)) is None:
        try:
            return _detoxify(**options)
        except ModtoolError as exc:
            problem = str(exc)
    from modtool.scoring.profanity import ProfanityCheckScorer

    note = (
        f"using profanity-check, not Detoxify: {reason}"
        + ("" if problem == reason else f" and {problem}")
        + "; and not the offline "
        f"model: {offline_reason}. Run `modtool models fetch offline` (the package index) "
        f"for Detoxify's six attributes offline, or `modtool models fetch {model_type} "
        "--to DIR` on a connected machine and pass --checkpoint and --hf-config"
    )
    return ProfanityCheckScorer(note=note)


def _detoxify(**options: Any) -> Scorer:
    from modtool.scoring.detoxify_backend import DetoxifyScorer

    return DetoxifyScorer(**options)


def _offline(reason: str) -> Scorer | str:
    """The offline scorer with a note saying why not Detoxify, or why it cannot be had."""
    from modtool.scoring.offline.cache import cache_folder, installed

    if installed() is None:
        return f"it is not installed in {cache_folder()}"
    from modtool.scoring.offline.scorer import OfflineScorer

    try:
        return OfflineScorer(
            note=(
                f"using the offline model (toxic-comment-classifier BiLSTM + profanity-check), "
                f"not Detoxify: {reason}"
            )
        )
    except ModtoolError as exc:
        return str(exc)


def _detoxify_not_here(model_type: str) -> str | None:
    """Why Detoxify's weights are not on this machine, or ``None`` if they are."""
    if model_type not in RELEASE_FILES:
        return None  # let the backend report the bad name
    if cached_checkpoint(model_type) is not None:
        return None
    return f"the Detoxify {model_type} weights are not cached"


def _cannot_download(model_type: str) -> str | None:
    """Why Detoxify's weights cannot be downloaded now, or ``None`` if they (probably) can."""
    if offline_requested():
        return "offline mode is set (HF_HUB_OFFLINE/MODTOOL_OFFLINE)"
    problem = probe_network()
    if problem is not None:
        return f"{DOWNLOAD_HOST} cannot be reached ({problem})"
    return None
