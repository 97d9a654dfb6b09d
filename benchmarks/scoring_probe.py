"""What ``scoring_bench.py`` prints besides comments/s: the machine, its GEMM
limits, where the time goes (the profiler's top operators) and which kernels ran
(oneDNN's own log on the CPU, the profiler's kernel names on a GPU).

Everything needed to read a run made elsewhere (an AMX CPU, a GPU): the
device and its features, the measured limits, the kernels' names (a bf16
matmul on AMX names ``avx512_core_amx_bf16`` in its implementation, on
AVX512-BF16 ``avx512_core_bf16``).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable

GEMM_SHAPE = (2048, 768, 3072)  # a bert-base feed-forward layer over 2,048 tokens
DTYPE = re.compile(r"\b(src|wei|dst|data)[:_](\w+?):")
POST_OPS = re.compile(r"attr-post-ops:(\S+?)(?:[, ]|$)")
GEMM_OPS = re.compile(
    r"^(aten::(addmm|mm|bmm|baddbmm|matmul|linear|_scaled_dot_product\w*)"
    r"|mkldnn\S*|onednn\S*|quantized::linear\w*|aten::_mkldnn\w*)$"
)


def is_cuda(device: str) -> bool:
    return device.split(":")[0] == "cuda"


def machine_lines(threads: int, device: str) -> list[str]:
    import torch

    from modtool.scoring.precision import cpu_capability

    capability = cpu_capability()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    amx = any(f.startswith("amx") for f in capability.flags)
    lines = [
        f"CPU: {capability.describe()}",
        f"  VNNI: {'yes' if capability.vnni else 'no'}, native BF16: "
        f"{'yes' if capability.bf16 else 'no'}, AMX: {'yes' if amx else 'no'}; "
        f"oneDNN {_onednn_version()}",
        f"  {os.cpu_count()} CPUs, torch {torch.__version__} with {threads} threads, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (shared machines: noisy)",
    ]
    if is_cuda(device):
        props = torch.cuda.get_device_properties(torch.device(device))
        lines.append(
            f"GPU: {props.name}, compute capability {props.major}.{props.minor}, "
            f"{props.total_memory / 2**30:.0f} GiB, {props.multi_processor_count} SMs; "
            f"CUDA {torch.version.cuda}, bf16 {'yes' if torch.cuda.is_bf16_supported() else 'no'}"
        )
    return lines


def _onednn_version() -> str:
    import torch

    try:
        return str(torch.backends.mkldnn.version())  # type: ignore[attr-defined]
    except Exception:
        config = torch.__config__.show()
        found = re.search(r"(?:oneDNN|MKL-DNN)[^\n]*?v?(\d+\.\d+(?:\.\d+)?)", config)
        return found.group(1) if found else "version unknown"


def _sync(device: str) -> None:
    if is_cuda(device):
        import torch

        torch.cuda.synchronize()


def rate(run: Callable[[], object], flops: float, device: str, seconds: float = 1.0) -> float:
    """FLOP/s of ``run`` repeated for about ``seconds`` (after one warm-up call)."""
    run()
    _sync(device)
    start = time.perf_counter()
    count = 0
    while time.perf_counter() - start < seconds:
        run()
        count += 1
        if is_cuda(device) and count % 10:
            continue
        _sync(device)
    _sync(device)
    return flops * count / (time.perf_counter() - start)


def gemm_rates(device: str) -> dict[str, float]:
    """FLOP/s (int8: OP/s) of a bert-base feed-forward GEMM in each precision
    modtool offers on ``device`` (fp32 without TF32 on a GPU: modtool's fp32 is
    IEEE fp32)."""
    import warnings

    import torch

    m, k, n = GEMM_SHAPE
    flops = 2.0 * m * k * n
    a, b = torch.randn(m, k, device=device), torch.randn(k, n, device=device)
    rates = {"fp32": rate(lambda: torch.matmul(a, b), flops, device)}
    a16, b16 = a.to(torch.bfloat16), b.to(torch.bfloat16)
    rates["bf16"] = rate(lambda: torch.matmul(a16, b16), flops, device)
    if is_cuda(device):
        return rates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linear = torch.ao.quantization.quantize_dynamic(
            torch.nn.Sequential(torch.nn.Linear(k, n)), {torch.nn.Linear}, dtype=torch.qint8
        )
    with torch.inference_mode():
        rates["int8"] = rate(lambda: linear(a), flops, device)
    return rates


def gemm_probe(device: str) -> float:
    """A short fp32 GEMM measurement (FLOP/s), taken beside every timed run: on a
    shared machine the limit moves with the load, so each run is compared with
    the limit measured around it."""
    import torch

    m, k, n = GEMM_SHAPE
    a, b = torch.randn(m, k, device=device), torch.randn(k, n, device=device)
    return rate(lambda: torch.matmul(a, b), 2.0 * m * k * n, device, seconds=0.3)


def top_ops(run: Callable[[], object], device: str, limit: int = 10) -> list[str]:
    """The profiler's operators by self time over one ``run()``, with the share of
    the time in matrix multiplications (the rest is what keeps a mode from its
    GEMM limit: casts, normalisation, activations, softmax, copies, Python)."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if is_cuda(device) else [])
    with profile(activities=activities) as prof:
        run()
        _sync(device)
    events = prof.key_averages()
    attribute = "self_device_time_total" if is_cuda(device) else "self_cpu_time_total"
    timed = [(e.key, float(getattr(e, attribute, 0.0) or 0.0), e.count) for e in events]
    timed = [t for t in timed if t[1] > 0]
    total = sum(t[1] for t in timed) or 1.0
    gemm = sum(t[1] for t in timed if GEMM_OPS.match(t[0]) or _is_gemm_kernel(t[0]))
    lines = [
        f"    {'in matrix multiplications':44} {gemm / total:6.1%} of "
        f"{'GPU' if is_cuda(device) else 'CPU'} self time ({total / 1e6:.2f} s)"
    ]
    for key, spent, count in sorted(timed, key=lambda t: -t[1])[:limit]:
        lines.append(f"    {key[:44]:44} {spent / total:6.1%}  ({count} calls)")
    return lines


def _is_gemm_kernel(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in ("gemm", "cutlass", "matmul", "xmma", "flash", "fmha"))


def onednn_kernels(run: Callable[[], object], limit: int = 8) -> list[str]:
    """The oneDNN primitives one ``run()`` executed and their implementations
    (``ONEDNN_VERBOSE``-style lines, captured from the process's own stdout):
    where a bf16 matmul runs on AMX, its implementation names ``amx``."""
    import sys

    import torch

    kinds: Counter[str] = Counter()
    with tempfile.TemporaryFile(mode="w+b") as captured:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(captured.fileno(), 1)
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
                run()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        captured.seek(0)
        for raw in captured.read().decode("utf-8", "replace").splitlines():
            fields = raw.split(",")
            if len(fields) > 6 and fields[0].startswith("onednn_verbose") and "exec" in fields:
                at = fields.index("exec")
                kind, impl = fields[at + 2], fields[at + 3]
                dtypes = " ".join(f"{role}:{dtype}" for role, dtype in DTYPE.findall(raw)[:3])
                fused = POST_OPS.search(raw)
                post = f", fused {fused.group(1)}" if fused else ""
                kinds[f"{kind} {impl} ({dtypes}{post})"] += 1
    if not kinds:
        return ["    none: this mode's matrix multiplications do not go through oneDNN here"]
    return [f"    {count:6} x {name}" for name, count in kinds.most_common(limit)]


def cuda_kernels(run: Callable[[], object], limit: int = 8) -> list[str]:
    """The GPU kernels one ``run()`` launched, by time."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        run()
        _sync("cuda")
    events = [
        (e.key, float(getattr(e, "self_device_time_total", 0.0) or 0.0), e.count)
        for e in prof.key_averages()
    ]
    events = sorted((e for e in events if e[1] > 0), key=lambda e: -e[1])[:limit]
    return [f"    {count:6} x {name[:90]}" for name, _, count in events] or ["    none recorded"]


def describe_kernels(run: Callable[[], object], device: str) -> list[str]:
    return cuda_kernels(run) if is_cuda(device) else onednn_kernels(run)
