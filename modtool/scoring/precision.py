"""Precision modes (``fp32``, ``bf16``, ``int8``) and what the CPU can do with them.

No torch at import time. Each mode is its own model id suffix (``+bf16``,
``+int8``), so scores of different arithmetic never mix in the store:

* ``fp32``: Detoxify's own arithmetic (scores match ``Detoxify.predict``).
* ``bf16``: the whole model in bfloat16, its weights converted once when it is
  loaded (no per-batch casts; layer norm, softmax and GELU accumulate in fp32
  inside their kernels). Fast only where the hardware multiplies bf16 natively
  (AVX512-BF16 or AMX on x86, and CUDA GPUs with bf16 support); elsewhere
  oneDNN emulates it and it is slower than fp32, so modtool refuses it there.
  Scores differ from fp32 by about 2e-3 at most (``scoring_bench.py`` prints it).

On the CPU, fp32 and bf16 run every linear of the encoder as one oneDNN call
with its bias, GELU or residual add fused (:mod:`modtool.scoring.fastpath`).
* ``int8``: dynamic int8 quantization of every ``nn.Linear``
  (``torch.ao.quantization.quantize_dynamic``, CPU only); fbgemm uses VNNI
  instructions where the CPU has them (AVX512-VNNI or AVX-VNNI), which is where
  it pays most.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from modtool.errors import InputError

PRECISIONS = ("fp32", "bf16", "int8")
SUFFIX = {"fp32": "", "bf16": "+bf16", "int8": "+int8"}
BF16_FLAGS = ("avx512_bf16", "amx_bf16")
VNNI_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")
SHOWN_FLAGS = (
    "avx2",
    "avx512f",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
)


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags of ``/proc/cpuinfo`` (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


@dataclass(frozen=True, slots=True)
class CpuCapability:
    """What this CPU offers the three modes (shown by the benchmark and errors)."""

    torch_capability: str
    flags: tuple[str, ...]

    @property
    def bf16(self) -> bool:
        return any(flag in self.flags for flag in BF16_FLAGS)

    @property
    def vnni(self) -> bool:
        return any(flag in self.flags for flag in VNNI_FLAGS)

    def describe(self) -> str:
        shown = ", ".join(self.flags) if self.flags else "none of the ones that matter"
        return f"torch CPU capability {self.torch_capability}; flags: {shown}"


def cpu_capability() -> CpuCapability:
    """torch's dispatch level (``AVX512``, ``AVX2``, …) and the relevant flags."""
    import torch

    level = str(torch.backends.cpu.get_cpu_capability())
    flags = cpu_flags()
    return CpuCapability(level, tuple(flag for flag in SHOWN_FLAGS if flag in flags))


def resolve(precision: str | None, quantize: bool) -> str:
    """The precision asked for, with ``--quantize`` as an alias of ``int8``."""
    chosen = precision or ("int8" if quantize else "fp32")
    if chosen not in PRECISIONS:
        raise InputError(f"unknown precision {chosen!r}: choose one of {', '.join(PRECISIONS)}")
    if quantize and chosen != "int8":
        raise InputError(f"--quantize means --precision int8; it contradicts --precision {chosen}")
    return chosen


def check_device(torch: Any, precision: str, device: Any) -> None:
    """Refuse a mode the device cannot run well (one line that says why)."""
    if precision == "int8" and device.type != "cpu":
        raise InputError("--precision int8 (--quantize) works on the CPU only (dynamic int8)")
    if precision != "bf16":
        return
    if device.type == "cuda":
        if not torch.cuda.is_bf16_supported():
            raise InputError(f"--precision bf16: the GPU {device} does not support bfloat16")
        return
    if device.type != "cpu":
        raise InputError(f"--precision bf16 works on the CPU or CUDA, not {device.type}")
    capability = cpu_capability()
    if not capability.bf16:
        raise InputError(
            "--precision bf16: this CPU has no native bfloat16 (AVX512-BF16 or AMX; "
            f"{capability.describe()}), where it would be emulated and slower than fp32; "
            "use --precision fp32, or int8"
        )
