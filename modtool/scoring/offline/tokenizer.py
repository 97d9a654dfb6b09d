"""The BiLSTM's tokenizer: Keras' ``Tokenizer`` rules without Keras, and a
restricted unpickler for the one pickle the model ships.

The wheel keeps its tokenizer as a pickled ``keras.src.legacy.preprocessing.text.Tokenizer``.
Unpickling runs whatever the pickle names, so :func:`read_keras_tokenizer`
maps only the tokenizer's own classes (``Tokenizer``, ``OrderedDict``,
``defaultdict``, ``int``) to plain stand-ins and refuses every other global,
persistent id and extension code: a hostile pickle fails with one line and
runs nothing.

:class:`Vocabulary` is what modtool keeps (JSON): the words with an index
below ``num_words`` and the splitting rules. :meth:`Vocabulary.sequences`
does what Keras' ``texts_to_sequences`` + ``pad_sequences`` did at training:
lowercase, every character of ``filters`` becomes ``split``, split, keep the
words whose index is below ``num_words`` (no out-of-vocabulary token in this
model), then pre-truncate and pre-pad with 0 to ``maxlen``.
"""

from __future__ import annotations

import collections
import io
import json
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modtool.errors import InputError

MAX_PICKLE_BYTES = 64 * 1024 * 1024
TOKENIZER_MODULES = frozenset(
    {
        "keras.src.legacy.preprocessing.text",
        "keras.preprocessing.text",
        "keras_preprocessing.text",
        "tensorflow.python.keras.preprocessing.text",
        "tensorflow.keras.preprocessing.text",
    }
)


class TokenizerStandIn:
    """What a pickled Keras ``Tokenizer`` becomes: a plain object holding its state."""


_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "defaultdict"): collections.defaultdict,
    ("builtins", "int"): int,
}


class _TokenizerUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if name == "Tokenizer" and module in TOKENIZER_MODULES:
            return TokenizerStandIn
        allowed = _ALLOWED.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(f"refused global {module}.{name}")
        return allowed

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("refused persistent id")


def read_keras_tokenizer(data: bytes, where: str) -> dict[str, Any]:
    """The state of a pickled Keras ``Tokenizer`` (its ``__dict__``), read by the
    restricted unpickler; anything else is an :class:`InputError` naming ``where``."""
    if len(data) > MAX_PICKLE_BYTES:
        raise InputError(f"{where}: {len(data)} bytes is too large for a tokenizer pickle")
    copyreg_backup = dict(_extension_registry())
    try:
        loaded = _TokenizerUnpickler(io.BytesIO(data)).load()
    except Exception as exc:  # any refusal or corruption: one line
        raise InputError(
            f"{where}: not a Keras tokenizer pickle modtool can read ({exc})"
        ) from None
    finally:
        _extension_registry().clear()
        _extension_registry().update(copyreg_backup)
    if not isinstance(loaded, TokenizerStandIn):
        raise InputError(f"{where}: the pickle holds a {type(loaded).__name__}, not a Tokenizer")
    return dict(vars(loaded))


def _extension_registry() -> dict[Any, Any]:
    """``copyreg``'s extension table: EXT opcodes look names up there (empty by default;
    the unpickler's ``find_class`` still vets what they name)."""
    import copyreg

    return copyreg._inverted_registry  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Vocabulary:
    """Keras ``Tokenizer`` rules and the words it keeps; ``words[i]`` has index ``i + 1``."""

    words: tuple[str, ...]
    num_words: int
    maxlen: int
    filters: str
    lower: bool = True
    split: str = " "

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {word: i + 1 for i, word in enumerate(self.words)})
        object.__setattr__(self, "_table", str.maketrans(dict.fromkeys(self.filters, self.split)))

    @classmethod
    def from_keras(cls, state: dict[str, Any], maxlen: int, where: str) -> Vocabulary:
        """Keep the words a Keras tokenizer state maps below ``num_words``."""
        try:
            num_words = int(state["num_words"])
            index = state["word_index"]
            filters = str(state["filters"])
            lower = bool(state["lower"])
            split = str(state["split"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: the tokenizer lacks {exc}") from None
        if state.get("char_level") or state.get("analyzer") is not None:
            raise InputError(f"{where}: a character-level or custom-analyzer tokenizer")
        if state.get("oov_token") is not None:
            raise InputError(f"{where}: a tokenizer with an out-of-vocabulary token")
        if not isinstance(index, dict) or not split:
            raise InputError(f"{where}: the tokenizer's word_index is not a mapping")
        words = [""] * (num_words - 1)
        for word, position in index.items():
            if isinstance(position, int) and 1 <= position < num_words and isinstance(word, str):
                words[position - 1] = word
        if not all(words):
            raise InputError(f"{where}: the tokenizer's word_index has gaps below num_words")
        return cls(tuple(words), num_words, maxlen, filters, lower, split)

    def as_json(self) -> str:
        return json.dumps(
            {
                "num_words": self.num_words,
                "maxlen": self.maxlen,
                "filters": self.filters,
                "lower": self.lower,
                "split": self.split,
                "words": list(self.words),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, path: Path) -> Vocabulary:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            vocabulary = cls(
                tuple(str(word) for word in raw["words"]),
                int(raw["num_words"]),
                int(raw["maxlen"]),
                str(raw["filters"]),
                bool(raw["lower"]),
                str(raw["split"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: not a modtool vocabulary file ({exc})") from None
        if len(vocabulary.words) != vocabulary.num_words - 1 or not vocabulary.split:
            raise InputError(f"{path}: the vocabulary does not match its num_words")
        return vocabulary

    def tokens(self, text: str) -> list[int]:
        """Keras ``texts_to_sequences`` for one text (indices 1 … num_words - 1)."""
        if self.lower:
            text = text.lower()
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        found = [index.get(word) for word in text.translate(self._table).split(self.split)]  # type: ignore[attr-defined]
        return [i for i in found if i is not None]

    def sequences(self, texts: Sequence[str]) -> list[list[int]]:
        """The last ``maxlen`` token ids of each text (Keras' pre-truncation)."""
        return [self.tokens(text)[-self.maxlen :] for text in texts]
