"""Faster ways to run a BERT-family classifier that compute the same thing.

Two changes to the torch module, each checked on a sample before it is kept
(and undone if the check fails): the last encoder layer computes only the
[CLS] position the classifier reads (:func:`install_cls_only_last_layer`),
and every linear runs as one oneDNN call with its bias, GELU or residual add
fused (:func:`install_fused_linears`, CPU, fp32 and bf16).

Fused linears. Why (measured with the profiler, ``benchmarks/scoring_bench.py``): a plain
``nn.Linear`` on the CPU is ``addmm``, which first copies the bias into the
whole output and then multiplies into it; for bf16 that copy took 18% of the
model's time, more than half as long as the multiplications it serves. Then
GELU reads and writes the 3072-wide intermediate once more, and each residual
``+`` once more before its layer norm. torch's own oneDNN linear
(``torch.ops.mkldnn._linear_pointwise``, the kernel ``torch.compile`` emits on
the CPU) applies the bias, the GELU (an ``eltwise`` post-op) or the residual
add (a ``binary`` post-op) while the result is still in registers, on weights
reordered once into the layout the CPU's kernel wants (AMX tiles where the CPU
has AMX, AVX512-BF16 or AVX-512 blocks elsewhere).

intel-extension-for-pytorch would give the same fusions but is not an option:
its last release, 2.8, requires torch 2.8 (modtool pins 2.13), and Intel
stopped it after that release (the repository is archived).

Nothing here changes what is computed: the same weights, the same bias, the
exact (erf) GELU, the same residual and layer norm, in the same dtype. The
results differ from the unfused model by rounding only (the kernel adds in
another order, and in bf16 rounds the bias and the residual add once, not
twice); :func:`install` checks that on a sample before it keeps the change, and
leaves the model as it was where the ops are missing (a torch without oneDNN,
another architecture) or the check fails.
"""

from __future__ import annotations

from typing import Any

PACK_HINT = 1_024
"""Tokens per batch the weights are reordered for (any batch works)."""


def available(torch: Any) -> bool:
    ops = getattr(torch.ops, "mkldnn", None)
    try:
        return (
            bool(torch.backends.mkldnn.is_available())
            and hasattr(ops, "_linear_pointwise")
            and hasattr(ops, "_reorder_linear_weight")
        )
    except (AttributeError, RuntimeError):
        return False


def _modules(torch: Any) -> dict[str, Any]:
    """The three module types, built on first use (torch is imported lazily)."""
    nn = torch.nn
    ops = torch.ops.mkldnn

    class FusedLinear(nn.Module):
        """``linear`` (+ bias, + an optional exact GELU) in one oneDNN call."""

        def __init__(self, linear: Any, activation: str = "none") -> None:
            super().__init__()
            weight = linear.weight.detach()
            self.out_features = weight.shape[0]
            self.packed = ops._reorder_linear_weight(weight, PACK_HINT)
            self.bias = None if linear.bias is None else linear.bias.detach().clone()
            self.activation = activation

        def forward(self, x: Any) -> Any:
            flat = x.reshape(-1, x.shape[-1])
            out = ops._linear_pointwise(flat, self.packed, self.bias, self.activation, [], "none")
            return out.view(*x.shape[:-1], self.out_features)

    class FusedAddNorm(nn.Module):
        """``LayerNorm(dense(hidden) + residual)`` with the add fused into the linear
        (the ``…SelfOutput`` / ``…Output`` blocks; dropout is off in inference)."""

        def __init__(self, block: Any) -> None:
            super().__init__()
            self.dense = FusedLinear(block.dense)
            self.LayerNorm = block.LayerNorm

        def forward(self, hidden_states: Any, input_tensor: Any) -> Any:
            dense = self.dense
            flat = hidden_states.reshape(-1, hidden_states.shape[-1])
            other = input_tensor.reshape(-1, input_tensor.shape[-1])
            out = ops._linear_pointwise.binary(flat, other, dense.packed, dense.bias, "add")
            return self.LayerNorm(out.view(*hidden_states.shape[:-1], dense.out_features))

    class FusedIntermediate(nn.Module):
        """``gelu(dense(hidden))`` in one call."""

        def __init__(self, block: Any) -> None:
            super().__init__()
            self.dense = FusedLinear(block.dense, "gelu")

        def forward(self, hidden_states: Any) -> Any:
            return self.dense(hidden_states)

    return {"linear": FusedLinear, "add_norm": FusedAddNorm, "intermediate": FusedIntermediate}


def _blocks(net: Any) -> list[Any] | None:
    """The encoder layers of a BERT/RoBERTa/XLM-R classifier, else ``None``."""
    for name in ("bert", "roberta"):
        base = getattr(net, name, None)
        layers = getattr(getattr(base, "encoder", None), "layer", None)
        if layers is not None and len(layers):
            return [getattr(layer, "layer", layer) for layer in layers]  # the [CLS]-only wrapper
    return None


def _fits(layer: Any, torch: Any, config: Any) -> bool:
    nn = torch.nn
    attention = getattr(layer, "attention", None)
    self_attention = getattr(attention, "self", None)
    outputs = (getattr(attention, "output", None), getattr(layer, "output", None))
    intermediate = getattr(layer, "intermediate", None)
    return (
        self_attention is not None
        and all(
            isinstance(getattr(self_attention, n, None), nn.Linear)
            for n in ("query", "key", "value")
        )
        and all(
            isinstance(getattr(block, "dense", None), nn.Linear)
            and isinstance(getattr(block, "LayerNorm", None), nn.LayerNorm)
            for block in outputs
        )
        and isinstance(getattr(intermediate, "dense", None), nn.Linear)
        and getattr(config, "hidden_act", None) == "gelu"  # exact erf GELU: oneDNN's "gelu"
        and not getattr(layer, "add_cross_attention", False)
    )


def install_fused_linears(torch: Any, net: Any) -> bool:
    """Swap the fused modules into every encoder layer of ``net`` (in place) if
    oneDNN has the ops, the architecture is one of BERT's family, and the model
    gives the same logits on a sample (:func:`sample_input`) up to rounding;
    return whether it did."""
    sample = sample_input(torch, net)
    if not available(torch):
        return False
    layers = _blocks(net)
    config = getattr(net, "config", None)
    if not layers or not all(_fits(layer, torch, config) for layer in layers):
        return False
    kinds = _modules(torch)
    saved = []
    with torch.inference_mode():
        reference = net(**sample)[0].float()
        try:
            for layer in layers:
                attention = layer.attention
                saved.append((layer, attention.self.query, attention.self.key, attention.self.value,
                              attention.output, layer.intermediate, layer.output))  # fmt: skip
                for name in ("query", "key", "value"):
                    setattr(attention.self, name, kinds["linear"](getattr(attention.self, name)))
                attention.output = kinds["add_norm"](attention.output)
                layer.intermediate = kinds["intermediate"](layer.intermediate)
                layer.output = kinds["add_norm"](layer.output)
            fused = net(**sample)[0].float()
            # rounding only: ~1e-6 of the logits' scale in fp32, a few bf16 steps in bf16
            scale = float(reference.abs().max()) + 1.0
            bf16 = next(net.parameters()).dtype == torch.bfloat16
            tolerance = (3e-2 if bf16 else 1e-4) * scale
            same = bool((fused - reference).abs().max() <= tolerance)
        except Exception:
            same = False
        if not same:
            for layer, query, key, value, output, intermediate, layer_output in saved:
                attention = layer.attention
                attention.self.query, attention.self.key, attention.self.value = query, key, value
                attention.output, layer.intermediate, layer.output = (
                    output,
                    intermediate,
                    layer_output,
                )
    return same


CLS_ONLY_MODELS = {
    "BertForSequenceClassification": "bert",
    "RobertaForSequenceClassification": "roberta",
    "XLMRobertaForSequenceClassification": "roberta",
}


def install_cls_only_last_layer(torch: Any, net: Any) -> bool:
    """Make the last encoder layer compute only the first ([CLS]/<s>) position.

    The classifier of BERT/RoBERTa/XLM-R reads nothing but position 0 of the
    last layer, so in that layer only the keys and values need every position;
    the query, attention output, feed-forward and layer norms are needed for
    position 0 alone. The same modules run in the same order on the same
    numbers, so the result is Detoxify's (checked here on a sample input; the
    layer is left alone if the check fails or the architecture is another).
    Saves about 1/12 of the work of a 12-layer model.
    """
    base_name = CLS_ONLY_MODELS.get(type(net).__name__)
    base = getattr(net, base_name, None) if base_name else None
    encoder = getattr(base, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if layers is None or len(layers) == 0:
        return False
    last = layers[-1]
    attention = getattr(last, "attention", None)
    needed = ("query", "key", "value")
    if (
        getattr(last, "is_decoder", True)
        or getattr(last, "add_cross_attention", True)
        or attention is None
        or not all(hasattr(attention.self, n) for n in needed)
    ):
        return False
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS
    from transformers.models.bert.modeling_bert import eager_attention_forward

    class ClsOnlyLayer(torch.nn.Module):
        def __init__(self, layer: Any) -> None:
            super().__init__()
            self.layer = layer

        def forward(
            self, hidden_states: Any, attention_mask: Any = None, *args: Any, **kwargs: Any
        ) -> Any:
            layer = self.layer
            attn = layer.attention.self
            head = attn.attention_head_size
            batch = hidden_states.shape[0]
            first = hidden_states[:, :1]
            query = attn.query(first).view(batch, 1, -1, head).transpose(1, 2)
            key = (
                attn.key(hidden_states)
                .view(batch, -1, attn.num_attention_heads, head)
                .transpose(1, 2)
            )
            value = (
                attn.value(hidden_states)
                .view(batch, -1, attn.num_attention_heads, head)
                .transpose(1, 2)
            )
            mask = attention_mask
            if mask is not None and mask.dim() == 4 and mask.shape[-2] > 1:
                mask = mask[:, :, :1, :]
            interface = ALL_ATTENTION_FUNCTIONS.get_interface(
                attn.config._attn_implementation, eager_attention_forward
            )
            context, _ = interface(attn, query, key, value, mask, dropout=0.0, scaling=attn.scaling)
            context = context.reshape(batch, 1, -1).contiguous()
            attention_output = layer.attention.output(context, first)
            return layer.feed_forward_chunk(attention_output)

    sample = sample_input(torch, net)
    with torch.inference_mode():
        reference = net(**sample)[0]
        layers[-1] = ClsOnlyLayer(last)
        try:
            fast = net(**sample)[0]
            same = bool(torch.allclose(reference, fast, atol=1e-5, rtol=0))
        except Exception:
            same = False
    if not same:
        layers[-1] = last
    return same


def sample_input(torch: Any, net: Any) -> dict[str, Any]:
    """Three short random windows (two padded) to check a change of the model on."""
    vocab = int(getattr(net.config, "vocab_size", 100) or 100)
    device = next(net.parameters()).device
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(5, max(6, vocab), (3, 17), generator=generator).to(device)
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0
    mask[2, 4:] = 0
    return {"input_ids": ids, "attention_mask": mask}
