"""Detoxify models, loaded the way Detoxify loads them, but air-gap safe and faster.

torch and transformers are imported inside this module's functions only, so
importing :mod:`modtool.scoring` stays cheap.

Loading. A Detoxify checkpoint is a ``torch.save`` pickle holding the training
config (``config.arch.args``: ``model_type`` such as ``bert-base-uncased``,
``model_name`` such as ``BertForSequenceClassification``, ``tokenizer_name``,
``num_classes``; ``config.dataset.args.classes``) and a ``state_dict``.
Detoxify 0.5.4 always asks the Hugging Face hub for the config named in
``model_type``, even when given ``huggingface_config_path``; modtool builds the
config from the local directory instead (``--hf-config``), then builds the
same model class from the same state dict with the same tokenizer, and
applies the same sigmoid and class names. Unpickling runs code: modtool only
loads a checkpoint file the user named, or Detoxify's own release file.

Scoring. Texts are tokenised once (fast tokenizer), every text longer than the
model's maximum is cut into overlapping token windows (the tokenizer's own
overflow with ``stride`` = a quarter of the maximum), windows are sorted by
length and run in batches padded only to their longest member and capped by a
token budget, under ``torch.inference_mode``. Each attribute of a windowed
text is the maximum over its windows. Texts that fit the maximum get exactly
Detoxify's computation (same token ids, same model, sigmoid), so they match
``Detoxify.predict`` to float rounding (≤1e-6 measured).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.models import ModelInfo
from modtool.scoring import fastpath
from modtool.scoring import precision as precisions
from modtool.scoring.base import TextScore
from modtool.scoring.sources import (
    MODEL_TYPES,
    RELEASE_FILES,
    cached_checkpoint,
    file_sha256,
    offline_requested,
    probe_network,
    release_url,
    torch_hub_dir,
)

# Detoxify's renames (detoxify.load_checkpoint), so attribute names match it.
CHANGE_NAMES = {
    "toxic": "toxicity",
    "identity_hate": "identity_attack",
    "severe_toxic": "severe_toxicity",
}
ORIGINAL_CLASSES = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
HASH_CHARS = 12
HF_HOST = "huggingface.co"
DEFAULT_MAX_BATCH_TOKENS = 16_384
PAD_SLACK = 0.05  # at most ~5% padding per model batch (2.5–4% on average, measured) …
MIN_BATCH_TOKENS = 1_024  # … once a batch is this big


def infer_variant(arch: dict[str, Any], classes: Sequence[str], path: Path) -> str:
    """Which Detoxify release a checkpoint is (for the model id), else ``custom``."""
    for variant, (_, name) in RELEASE_FILES.items():
        if path.name == name:
            return variant
    model_name = str(arch.get("model_name", ""))
    original = tuple(classes) == ORIGINAL_CLASSES
    if model_name == "BertForSequenceClassification" and original:
        return "original"
    if model_name == "RobertaForSequenceClassification":
        return "unbiased"
    if model_name == "XLMRobertaForSequenceClassification":
        return "multilingual"
    if model_name == "AlbertForSequenceClassification":
        return "original-small" if original else "unbiased-small"
    return "custom"


def load_checkpoint_file(path: Path) -> dict[str, Any]:
    """Unpickle a Detoxify checkpoint (CPU) and check its shape; one-line errors."""
    import torch

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise InputError(
            f"{path}: not a readable Detoxify checkpoint ({type(exc).__name__}: {_first_line(exc)})"
        ) from None
    try:
        arch = loaded["config"]["arch"]["args"]
        classes = list(loaded["config"]["dataset"]["args"]["classes"])
        state_dict = loaded["state_dict"]
        for key in ("model_type", "model_name", "tokenizer_name", "num_classes"):
            arch[key]
    except (KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: not a Detoxify checkpoint (missing {exc} in its config; "
            "it needs config.arch.args, config.dataset.args.classes and "
            "state_dict)"
        ) from None
    if not isinstance(state_dict, dict) or not classes:
        raise InputError(f"{path}: not a Detoxify checkpoint (empty state_dict or classes)")
    return loaded


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _download(model_type: str) -> Path:
    """Fetch a release checkpoint into torch's hub cache (as Detoxify does)."""
    import torch

    target = cached_checkpoint(model_type)
    if target is not None:
        return target
    folder = torch_hub_dir() / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / RELEASE_FILES[model_type][1]
    try:
        torch.hub.download_url_to_file(release_url(model_type), str(target), progress=False)
    except Exception as exc:
        raise ModtoolError(
            f"cannot download the Detoxify {model_type} checkpoint "
            f"({_first_line(exc)}); offline, use --checkpoint and --hf-config "
            f"(see `modtool models fetch`)"
        ) from None
    return target


class DetoxifyScorer:
    """A Detoxify model: ``detoxify/<variant>@<sha256 prefix>[+bf16|+int8]``.

    ``precision`` is ``fp32`` (Detoxify's arithmetic), ``bf16`` (autocast) or
    ``int8`` (dynamic quantization); ``quantize=True`` is an alias of ``int8``.
    """

    headline_attribute = "toxicity"

    def __init__(
        self,
        model_type: str | None = None,
        checkpoint: str | Path | None = None,
        hf_config: str | Path | None = None,
        device: str = "cpu",
        quantize: bool = False,
        num_threads: int | None = None,
        max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
        note: str | None = None,
        precision: str | None = None,
    ) -> None:
        import torch
        import transformers

        if model_type is not None and model_type not in MODEL_TYPES:
            raise InputError(
                f"unknown Detoxify model {model_type!r}: choose one of {', '.join(MODEL_TYPES)}"
            )
        self.note = note
        self.device = _device(torch, device)
        self.precision = precisions.resolve(precision, quantize)
        precisions.check_device(torch, self.precision, self.device)
        if num_threads is not None:
            if num_threads < 1:
                raise InputError(f"--threads must be at least 1, not {num_threads}")
            torch.set_num_threads(num_threads)
        if max_batch_tokens < 1:
            raise InputError("max_batch_tokens must be positive")
        self.max_batch_tokens = max_batch_tokens
        self.tokens = [0, 0]  # real and padded tokens run so far (the benchmark reads them)

        if checkpoint is not None:
            path = Path(checkpoint)
            if not path.is_file():
                raise InputError(f"{path}: no such checkpoint file")
        else:
            path = _download(model_type or "original")
        config_dir: Path | None = None
        if hf_config is not None:
            config_dir = Path(hf_config)
            if not (config_dir / "config.json").is_file():
                raise InputError(
                    f"{config_dir}: not a Hugging Face config directory (no config.json)"
                )

        sha = file_sha256(path)
        loaded = load_checkpoint_file(path)
        arch = dict(loaded["config"]["arch"]["args"])
        raw_classes = list(loaded["config"]["dataset"]["args"]["classes"])
        self.class_names = [CHANGE_NAMES.get(name, name) for name in raw_classes]
        if "toxicity" not in self.class_names:  # a custom checkpoint: rank by its first class
            self.headline_attribute = self.class_names[0]
        net, self.tokenizer, source = _build(
            transformers, path, arch, loaded["state_dict"], config_dir
        )
        del loaded
        net.to(self.device)
        net.eval()
        # checked for exactness in float32, before any quantization
        self.fast_last_layer = fastpath.install_cls_only_last_layer(torch, net)
        if self.precision == "bf16":
            net.to(torch.bfloat16)  # once, not a cast of every weight in every batch
        fusable = self.device.type == "cpu" and self.precision in ("fp32", "bf16")
        fused = fusable and fastpath.install_fused_linears(torch, net)
        self.kernels = "onednn-fused" if fused else "torch"
        if self.precision == "int8":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                net = torch.ao.quantization.quantize_dynamic(
                    net, {torch.nn.Linear}, dtype=torch.qint8
                )
        self.net = net  # the torch module (``model`` is the ModelInfo of the protocol)
        self.max_length = _max_length(self.tokenizer, net.config)
        self.stride = max(1, self.max_length // 4)
        self.input_names = list(self.tokenizer.model_input_names)
        self.pad_id = int(self.tokenizer.pad_token_id or 0)
        self._torch = torch

        variant = model_type or infer_variant(arch, raw_classes, path)
        model_id = f"detoxify/{variant}@{sha[:HASH_CHARS]}" + precisions.SUFFIX[self.precision]
        details: dict[str, object] = {
            "checkpoint": str(path.resolve()),
            "sha256": sha,
            "arch": {k: str(v) for k, v in arch.items()},
            "hf_config": str(source),
            "classes": raw_classes,
            "max_length": self.max_length,
            "window_stride": self.stride,
            "quantized": self.precision == "int8",
            "precision": self.precision,
            "cls_only_last_layer": self.fast_last_layer,
            "kernels": self.kernels,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        }
        self.model = ModelInfo(
            id=model_id,
            scorer="detoxify",
            name=f"detoxify/{variant}",
            attributes=tuple(self.class_names),
            details=details,
        )

    @property
    def attributes(self) -> tuple[str, ...]:
        return tuple(self.class_names)

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        if not texts:
            return []
        torch = self._torch
        encoded = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=self.max_length,
            stride=self.stride,
            return_overflowing_tokens=True,
            padding=False,
        )
        owners: list[int] = list(encoded["overflow_to_sample_mapping"])
        columns = {name: encoded[name] for name in self.input_names if name in encoded}
        ids = columns["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]), reverse=True)
        n_classes = len(self.class_names)
        best = torch.full((len(texts), n_classes), -1.0)
        windows = [0] * len(texts)
        for owner in owners:
            windows[owner] += 1
        with torch.inference_mode():
            for chunk in _chunks(order, [len(x) for x in ids], self.max_batch_tokens):
                probs = self._run(columns, chunk)[:, :n_classes]
                for row, window in enumerate(chunk):
                    owner = owners[window]
                    best[owner] = torch.maximum(best[owner], probs[row])
        values = best.tolist()
        return [
            TextScore(dict(zip(self.class_names, row, strict=True)), windowed=windows[i] > 1)
            for i, row in enumerate(values)
        ]

    def _run(self, columns: dict[str, list[list[int]]], chunk: list[int]) -> Any:
        torch = self._torch
        width = max(len(columns["input_ids"][i]) for i in chunk)
        self.tokens[0] += sum(len(columns["input_ids"][i]) for i in chunk)
        self.tokens[1] += width * len(chunk)
        batch: dict[str, Any] = {}
        for name, rows in columns.items():
            pad = self.pad_id if name == "input_ids" else 0
            tensor = torch.full((len(chunk), width), pad, dtype=torch.long)
            for row, window in enumerate(chunk):
                values = rows[window]
                tensor[row, : len(values)] = torch.tensor(values, dtype=torch.long)
            batch[name] = tensor.to(self.device)
        if "attention_mask" not in batch:
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for row, window in enumerate(chunk):
                mask[row, : len(columns["input_ids"][window])] = 1
            batch["attention_mask"] = mask.to(self.device)
        logits = self.net(**batch)[0]  # bf16: the whole model is bf16 (no autocast casts)
        return torch.sigmoid(logits.float()).cpu()


def _chunks(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Split windows (sorted longest first) into model batches.

    A batch is padded to its first (longest) window, so a new batch starts when
    the next window is more than :data:`PAD_SLACK` shorter than that width (once
    the batch holds :data:`MIN_BATCH_TOKENS`, so small batches do not starve the
    matrix multiplications), or when the batch would exceed ``budget`` padded
    tokens.
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current:
            width = lengths[current[0]]
            full = (len(current) + 1) * width > budget
            ragged = (
                lengths[index] < (1 - PAD_SLACK) * width
                and len(current) * width >= MIN_BATCH_TOKENS
            )
            if full or ragged:
                chunks.append(current)
                current = []
        current.append(index)
    if current:
        chunks.append(current)
    return chunks


def _device(torch: Any, name: str) -> Any:
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise InputError(
            f"--device {name!r} is not a device torch knows (try cpu or cuda)"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"--device {name}: no CUDA device is available here")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise InputError(f"--device {name}: MPS is not available here")
    return device


def _build(
    transformers: Any,
    path: Path,
    arch: dict[str, Any],
    state_dict: dict[str, Any],
    config_dir: Path | None,
) -> tuple[Any, Any, str]:
    """The model and tokenizer named by the checkpoint, configured from ``config_dir``
    (or from ``model_type`` when it is a local directory, else the hub/cache)."""
    model_class = getattr(transformers, str(arch["model_name"]), None)
    tokenizer_class = getattr(transformers, str(arch["tokenizer_name"]), None)
    if model_class is None or tokenizer_class is None:
        missing = arch["model_name"] if model_class is None else arch["tokenizer_name"]
        raise InputError(
            f"{path}: names {missing}, which this transformers "
            f"({transformers.__version__}) does not have"
        )
    named = str(arch["model_type"])
    if config_dir is not None:
        source, local = str(config_dir), True
    elif Path(named).is_dir():
        source, local = named, True
    else:
        source, local = named, False
    # Use only the local Hugging Face cache when offline or when the hub does not
    # answer quickly (transformers would otherwise retry for half a minute).
    cache_only = local or offline_requested() or probe_network(HF_HOST) is not None
    _quiet(transformers)
    try:
        config = model_class.config_class.from_pretrained(
            source, num_labels=int(arch["num_classes"]), local_files_only=cache_only
        )
        tokenizer = tokenizer_class.from_pretrained(source, local_files_only=cache_only)
    except Exception as exc:
        where = f"{source}" if local else f"{source!r} from the Hugging Face hub or its cache"
        raise ModtoolError(
            f"cannot load the config/tokenizer {where} ({_first_line(exc)}); offline, pass "
            "--hf-config DIR (made by `modtool models fetch`)"
        ) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = model_class.from_pretrained(
                None, config=config, state_dict=state_dict, local_files_only=True
            )
    except Exception as exc:
        raise InputError(
            f"{path}: its weights do not fit {arch['model_name']} configured from "
            f"{source} ({_first_line(exc)})"
        ) from None
    return model, tokenizer, source


def _quiet(transformers: Any) -> None:
    """No weight-loading progress bars or load reports on the user's terminal."""
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def _max_length(tokenizer: Any, config: Any) -> int:
    """Tokens per window: the tokenizer's maximum, as Detoxify's truncation uses."""
    limit = int(getattr(tokenizer, "model_max_length", 0) or 0)
    positions = int(getattr(config, "max_position_embeddings", 512) or 512)
    if getattr(config, "model_type", "") in {"roberta", "xlm-roberta", "camembert"}:
        positions -= 2  # RoBERTa-style position ids start after the padding index
    if limit <= 0 or limit > 1_000_000:
        return min(512, positions)
    return limit
