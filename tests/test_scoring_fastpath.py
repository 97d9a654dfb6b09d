"""The checked, same-result shortcuts of modtool/scoring/fastpath.py (oneDNN fused
linears, the whole model in bf16) on a tiny BERT, and the GPU benchmark's refusal
on a machine without one. No network, no GPU."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modtool.scoring import fastpath
from modtool.scoring.precision import cpu_capability
from tests.scoring_helpers import go_offline, tiny_scorer

TEXTS = ["you are an idiot", "thanks for the article", "the cat sat on the mat " * 9]
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    go_offline(monkeypatch)


_build = tiny_scorer


def _largest_gap(a, b) -> float:
    return max(abs(x.scores[k] - y.scores[k]) for x, y in zip(a, b, strict=True) for k in x.scores)


def _needs_onednn() -> None:
    import torch

    if not fastpath.available(torch):
        pytest.skip("this torch has no oneDNN linear")


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_fused_linears_give_the_unfused_scores(tiny_detoxify, monkeypatch, precision) -> None:
    import torch

    _needs_onednn()
    if precision == "bf16" and not cpu_capability().bf16:
        pytest.skip("no native bf16 on this CPU")
    fused = _build(tiny_detoxify, precision=precision)
    assert fused.kernels == "onednn-fused" and fused.model.details["kernels"] == "onednn-fused"
    kinds = {type(m).__name__ for m in fused.net.modules()}
    assert {"FusedLinear", "FusedAddNorm", "FusedIntermediate"} <= kinds
    assert not any(isinstance(m, torch.nn.Linear) for m in fused.net.bert.encoder.modules())
    with monkeypatch.context() as patch:
        patch.setattr(fastpath, "install_fused_linears", lambda torch, net: False)
        plain = _build(tiny_detoxify, precision=precision)
    assert plain.kernels == "torch" and plain.model.id == fused.model.id  # how, not what
    if precision == "bf16":
        assert next(fused.net.parameters()).dtype == torch.bfloat16  # converted once
        assert _largest_gap(fused.score(TEXTS), plain.score(TEXTS)) <= 1e-2
    else:
        assert _largest_gap(fused.score(TEXTS), plain.score(TEXTS)) <= 1e-6


def test_a_fusion_that_changes_the_result_is_undone(tiny_detoxify, monkeypatch) -> None:
    import torch

    _needs_onednn()
    real = fastpath._modules

    def off_by_one(torch_module):
        kinds = real(torch_module)

        class Wrong(kinds["linear"]):
            def forward(self, x):
                return super().forward(x) + 1.0

        return {**kinds, "linear": Wrong}

    monkeypatch.setattr(fastpath, "_modules", off_by_one)
    scorer = _build(tiny_detoxify)
    assert scorer.kernels == "torch"
    encoder = scorer.net.bert.encoder
    assert sum(isinstance(m, torch.nn.Linear) for m in encoder.modules()) == 6 * 2  # 2 layers
    monkeypatch.setattr(fastpath, "install_fused_linears", lambda torch, net: False)
    assert _largest_gap(scorer.score(TEXTS), _build(tiny_detoxify).score(TEXTS)) == 0.0


def test_another_activation_is_left_alone() -> None:
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(
        vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, hidden_act="gelu_new", num_labels=2,
    )  # fmt: skip
    net = BertForSequenceClassification(config).eval()
    assert not fastpath.install_fused_linears(torch, net)  # tanh GELU: not oneDNN's "gelu"
    assert isinstance(net.bert.encoder.layer[0].intermediate.dense, torch.nn.Linear)


def test_scoring_bench_cuda_refuses_cleanly_without_a_gpu() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    for device, message in (("cuda", "no CUDA device here"), ("mps", "cpu or cuda[:N] only")):
        result = subprocess.run(
            [sys.executable, "benchmarks/scoring_bench.py", "--device", device, "--comments", "1"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"scoring_bench: --device {device}: ")
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert result.stdout == ""  # refused before measuring or building anything
