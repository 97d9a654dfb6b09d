"""The BiLSTM of ``toxic-comment-classifier`` 0.3.0, run in numpy (no TensorFlow).

Architecture (its ``model.py``): 100 token ids → Embedding(20000, 50) →
Bidirectional(LSTM(50, return_sequences)) → GlobalMaxPooling1D (100) →
Dense(50, relu) → Dense(6, sigmoid), the six Jigsaw labels.

The arithmetic is Keras' LSTM (gates i, f, c, o; recurrent activation
sigmoid; one bias): ``z = x·W + h·U + b``, ``c = σ(f)·c + σ(i)·tanh(g)``,
``h = σ(o)·tanh(c)``. The speed comes from three exact rewrites:

* ``x·W + b`` depends on the token alone, so it is a table (vocabulary ×
  200) computed once: each step is a gather plus ``h·U``;
* ``σ(x) = (1 + tanh(x/2)) / 2``: the i, f, o columns are halved once, so
  each step takes one ``tanh`` over all 200 gate columns;
* texts are pre-padded with token 0, and the forward direction starts from
  a zero state, so its state and running maximum after *k* padding steps are
  the same for every text: computed once, a batch of texts whose longest has
  *T* tokens starts its forward pass at step 100 − *T*. (The backward pass
  reads the padding last, from a state that depends on the text: it runs all
  100 steps.)

Texts are scored in length-sorted blocks so each block's *T* is tight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modtool.errors import InputError

LAYERS = (
    "embedding",
    "forward_kernel",
    "forward_recurrent",
    "forward_bias",
    "backward_kernel",
    "backward_recurrent",
    "backward_bias",
    "dense_kernel",
    "dense_bias",
    "output_kernel",
    "output_bias",
)
BLOCK = 256


def weights_digest(arrays: dict[str, Any]) -> str:
    """sha256 over every array's name, dtype, shape and bytes (stable across
    re-conversions, unlike the bytes of an ``.npz`` zip)."""
    digest = hashlib.sha256()
    for name in LAYERS:
        array = arrays[name]
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def check_shapes(arrays: dict[str, Any], where: str) -> None:
    """One line naming the first array that does not fit the architecture."""
    vocab, dim = arrays["embedding"].shape if arrays["embedding"].ndim == 2 else (0, 0)
    units = arrays["forward_recurrent"].shape[0] if arrays["forward_recurrent"].ndim else 0
    expected = {
        "forward_kernel": (dim, 4 * units),
        "forward_recurrent": (units, 4 * units),
        "forward_bias": (4 * units,),
        "backward_kernel": (dim, 4 * units),
        "backward_recurrent": (units, 4 * units),
        "backward_bias": (4 * units,),
        "dense_kernel": (2 * units, arrays["dense_bias"].shape[0]),
        "output_kernel": (arrays["dense_bias"].shape[0], arrays["output_bias"].shape[0]),
    }
    if vocab < 2 or units < 1:
        raise InputError(f"{where}: the embedding is not a (vocabulary, dimension) matrix")
    for name, shape in expected.items():
        if tuple(arrays[name].shape) != shape:
            raise InputError(
                f"{where}: {name} has shape {tuple(arrays[name].shape)}, expected {shape}"
            )


def load_arrays(path: Path) -> dict[str, Any]:
    """The converted weights (``.npz``, never unpickled), float32, shapes checked."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: np.ascontiguousarray(data[name], dtype=np.float32) for name in LAYERS}
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not modtool's converted BiLSTM weights ({exc})") from None
    check_shapes(arrays, str(path))
    return arrays


@dataclass
class _Direction:
    table: Any  # vocabulary × 4·units: x·W + b, i/f/o columns halved
    recurrent: Any  # units × 4·units, i/f/o columns halved
    units: int


class BiLSTM:
    """The network, ready to run: :meth:`run` maps token-id lists to the pooled
    states (``pooled``, 2 × units per text) and the six sigmoid outputs."""

    def __init__(self, arrays: dict[str, Any], maxlen: int = 100) -> None:
        import numpy as np

        self.maxlen = maxlen
        self.vocabulary = int(arrays["embedding"].shape[0])
        self.units = units = int(arrays["forward_recurrent"].shape[0])
        half = np.ones(4 * units, dtype=np.float32)
        half[: 2 * units] = 0.5  # i, f
        half[3 * units :] = 0.5  # o
        self._directions = []
        for side in ("forward", "backward"):
            table = arrays["embedding"] @ arrays[f"{side}_kernel"] + arrays[f"{side}_bias"]
            self._directions.append(
                _Direction(
                    np.ascontiguousarray(table * half, dtype=np.float32),
                    np.ascontiguousarray(arrays[f"{side}_recurrent"] * half, dtype=np.float32),
                    units,
                )
            )
        self.dense_kernel = arrays["dense_kernel"]
        self.dense_bias = arrays["dense_bias"]
        self.output_kernel = arrays["output_kernel"]
        self.output_bias = arrays["output_bias"]
        self._pad_states()

    def _pad_states(self) -> None:
        """Forward state and running max after k = 0 … maxlen padding steps."""
        import numpy as np

        h = np.zeros((1, self.units), dtype=np.float32)
        c = np.zeros((1, self.units), dtype=np.float32)
        top = np.full((1, self.units), -np.inf, dtype=np.float32)
        direction = self._directions[0]
        pad = np.zeros(1, dtype=np.int64)
        hs, cs, tops = [h.copy()], [c.copy()], [top.copy()]
        for _ in range(self.maxlen):
            h, c = _step(direction, pad, h, c)
            np.maximum(top, h, out=top)
            hs.append(h.copy())
            cs.append(c.copy())
            tops.append(top.copy())
        self._pad_h = np.concatenate(hs)
        self._pad_c = np.concatenate(cs)
        self._pad_top = np.concatenate(tops)

    def run(self, sequences: Sequence[Sequence[int]]) -> tuple[Any, Any]:
        """``(pooled, outputs)`` for token-id lists of at most ``maxlen`` ids each:
        ``pooled`` (n × 100) is the max-pooled BiLSTM states, ``outputs`` (n × 6)
        the sigmoid outputs, in the order given."""
        import numpy as np

        n = len(sequences)
        pooled = np.empty((n, 2 * self.units), dtype=np.float32)
        order = sorted(range(n), key=lambda i: len(sequences[i]))
        for start in range(0, n, BLOCK):
            chosen = order[start : start + BLOCK]
            pooled[chosen] = self._pool([sequences[i] for i in chosen])
        hidden = np.maximum(pooled @ self.dense_kernel + self.dense_bias, 0.0)
        logits = hidden @ self.output_kernel + self.output_bias
        return pooled, 1.0 / (1.0 + np.exp(-logits))

    def _pool(self, block: list[Sequence[int]]) -> Any:
        import numpy as np

        size = len(block)
        longest = max(1, max(len(tokens) for tokens in block))
        ids = np.zeros((size, longest), dtype=np.int64)  # pre-padded to the block's longest
        for row, tokens in enumerate(block):
            if tokens:
                ids[row, longest - len(tokens) :] = tokens
        if ids.size and (ids.max() >= self.vocabulary or ids.min() < 0):
            raise InputError("a token id outside the embedding")
        columns = [np.ascontiguousarray(ids[:, t]) for t in range(longest)]
        skipped = self.maxlen - longest
        forward, backward = self._directions
        # Forward: from the shared state after `skipped` padding steps.
        h = np.repeat(self._pad_h[skipped : skipped + 1], size, axis=0)
        c = np.repeat(self._pad_c[skipped : skipped + 1], size, axis=0)
        top_f = np.repeat(self._pad_top[skipped : skipped + 1], size, axis=0)
        for column in columns:
            h, c = _step(forward, column, h, c)
            np.maximum(top_f, h, out=top_f)
        # Backward: the text from its end, then every padding step.
        h = np.zeros((size, self.units), dtype=np.float32)
        c = np.zeros((size, self.units), dtype=np.float32)
        top_b = np.full((size, self.units), -np.inf, dtype=np.float32)
        for column in reversed(columns):
            h, c = _step(backward, column, h, c)
            np.maximum(top_b, h, out=top_b)
        if skipped:
            pad = np.zeros(size, dtype=np.int64)
            for _ in range(skipped):
                h, c = _step(backward, pad, h, c)
                np.maximum(top_b, h, out=top_b)
        return np.concatenate([top_f, top_b], axis=1)


def _step(direction: _Direction, column: Any, h: Any, c: Any) -> tuple[Any, Any]:
    """One LSTM step for a block; the gate columns are i, f, c (g), o."""
    import numpy as np

    units = direction.units
    z = direction.table[column]
    z += h @ direction.recurrent
    np.tanh(z, out=z)
    sig = z[:, : 2 * units]
    sig *= 0.5
    sig += 0.5
    out = z[:, 3 * units :]
    out *= 0.5
    out += 0.5
    c = sig[:, units:] * c
    c += sig[:, :units] * z[:, 2 * units : 3 * units]
    h = np.tanh(c)
    h *= out
    return h, c
