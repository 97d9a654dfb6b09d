"""Tiny Detoxify-format checkpoints and a local Hugging Face config/tokenizer dir,
built fully offline (also used, at bert-base size, by benchmarks/scoring_bench.py).

Use the session-scoped ``tiny_detoxify`` fixture (registered in conftest.py via
``pytest_plugins``)::

    def test_x(tiny_detoxify):
        tiny_detoxify.checkpoint   # model_type is the local dir: stock Detoxify loads it
        tiny_detoxify.hub_named    # model_type "bert-base-uncased", like the real releases
        tiny_detoxify.hf_dir       # config.json + tokenizer files
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

# Tests never reach the Hugging Face hub: set before huggingface_hub reads it.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ORIGINAL_CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORDS = [
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "you",
    "your",
    "are",
    "is",
    "was",
    "were",
    "be",
    "been",
    "i",
    "me",
    "my",
    "we",
    "our",
    "they",
    "them",
    "this",
    "that",
    "it",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "from",
    "by",
    "about",
    "as",
    "not",
    "no",
    "yes",
    "very",
    "so",
    "too",
    "just",
    "really",
    "idiot",
    "stupid",
    "moron",
    "hate",
    "kill",
    "die",
    "dumb",
    "fool",
    "trash",
    "garbage",
    "loser",
    "shut",
    "up",
    "ugly",
    "good",
    "great",
    "nice",
    "thanks",
    "love",
    "friend",
    "agree",
    "think",
    "article",
    "point",
    "peace",
    "talks",
    "korea",
    "north",
    "south",
    "war",
    "government",
    "people",
    "country",
    "news",
    "read",
    "comment",
    "reply",
    "why",
    "how",
    "what",
    "who",
    "when",
    "where",
    "world",
    "cat",
    "sat",
    "mat",
    "dog",
    "day",
    "time",
    "year",
    "said",
    "say",
    "make",
    "made",
    "know",
    "see",
    "go",
    "going",
]
PUNCT = list(".,!?'\"-:;()")


def make_vocab(size: int | None = None, seed: int = 0) -> list[str]:
    """Special tokens, letters, ``##`` suffix pieces, common words, then generated
    pseudo-words up to ``size`` (bert-base-uncased has 30522)."""
    vocab = (
        SPECIAL + PUNCT + list(LETTERS) + [f"##{c}" for c in LETTERS] + list(dict.fromkeys(WORDS))
    )
    if size is not None:
        rng = random.Random(seed)
        seen = set(vocab)
        while len(vocab) < size:
            length = rng.randint(2, 9)
            word = "".join(rng.choice(LETTERS) for _ in range(length))
            if rng.random() < 0.3:
                word = "##" + word
            if word not in seen:
                seen.add(word)
                vocab.append(word)
    return vocab


def build_hf_dir(
    folder: Path,
    *,
    vocab: list[str],
    max_length: int,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 2,
    intermediate: int = 64,
    num_labels: int = 6,
    initializer_range: float = 0.02,
) -> Path:
    """Save a BERT config and a WordPiece ``BertTokenizer`` into ``folder``."""
    from transformers import BertConfig, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=max(512, max_length),
        num_labels=num_labels,
        initializer_range=initializer_range,
    )
    config.save_pretrained(folder)
    tokenizer = BertTokenizer(
        vocab={token: i for i, token in enumerate(vocab)}, model_max_length=max_length
    )
    tokenizer.save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return folder


def build_checkpoint(
    path: Path,
    hf_dir: Path,
    *,
    model_type: str | None = None,
    classes: list[str] = ORIGINAL_CLASSES,
    seed: int = 0,
    classifier_scale: float = 1.0,
) -> Path:
    """A Detoxify-format checkpoint with random weights for the model in ``hf_dir``.

    ``model_type`` is what ``config.arch.args.model_type`` names (default: the
    local ``hf_dir``, which stock Detoxify can load offline; real releases name
    ``bert-base-uncased``).
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(seed)
    config = BertConfig.from_pretrained(hf_dir, num_labels=len(classes))
    model = BertForSequenceClassification(config)
    if classifier_scale != 1.0:
        with torch.no_grad():
            model.classifier.weight.mul_(classifier_scale)
    checkpoint = {
        "config": {
            "arch": {
                "args": {
                    "model_type": model_type or str(hf_dir),
                    "model_name": "BertForSequenceClassification",
                    "tokenizer_name": "BertTokenizer",
                    "num_classes": len(classes),
                }
            },
            "dataset": {"args": {"classes": list(classes)}},
        },
        "state_dict": model.state_dict(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, path)
    return path


@dataclass(frozen=True)
class TinyDetoxify:
    hf_dir: Path
    checkpoint: Path
    hub_named: Path
    max_length: int
    classes: tuple[str, ...] = (
        "toxicity",
        "severe_toxicity",
        "obscene",
        "threat",
        "insult",
        "identity_attack",
    )


TINY_MAX_LENGTH = 24


@pytest.fixture(scope="session")
def tiny_detoxify(tmp_path_factory: pytest.TempPathFactory) -> TinyDetoxify:
    """A tiny BERT Detoxify checkpoint (max length 24 tokens) and its config dir."""
    root = tmp_path_factory.mktemp("tiny_detoxify")
    hf_dir = build_hf_dir(
        root / "bert-tiny", vocab=make_vocab(), max_length=TINY_MAX_LENGTH, initializer_range=0.2
    )
    checkpoint = build_checkpoint(root / "toxic_tiny.ckpt", hf_dir, classifier_scale=1.0)
    hub_named = build_checkpoint(
        root / "toxic_hubnamed.ckpt",
        hf_dir,
        model_type="bert-base-uncased",
        seed=1,
        classifier_scale=1.0,
    )
    return TinyDetoxify(
        hf_dir=hf_dir, checkpoint=checkpoint, hub_named=hub_named, max_length=TINY_MAX_LENGTH
    )


UNBIASED_CLASSES = [
    "toxicity",
    "severe_toxicity",
    "obscene",
    "identity_attack",
    "insult",
    "threat",
    "sexual_explicit",
]
FAMILY_MAX_LENGTH = 64


def _bytes_to_unicode() -> list[str]:
    """GPT-2's byte-to-character table (the byte-level BPE alphabet)."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars, extra = [], 0
    for byte in range(256):
        if byte in printable:
            chars.append(chr(byte))
        else:
            chars.append(chr(256 + extra))
            extra += 1
    return chars


def build_family(root: Path, family: str, *, seed: int = 5) -> tuple[Path, Path]:
    """A tiny checkpoint + config dir for ``roberta`` (Detoxify ``unbiased``:
    16 outputs, 7 classes), ``xlm-roberta`` (``multilingual``) or ``albert``
    (``original-small``). Returns ``(checkpoint, hf_dir)``."""
    import torch
    import transformers

    hf_dir = root / f"{family}-tiny"
    hf_dir.mkdir(parents=True, exist_ok=True)
    common = dict(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        initializer_range=0.2,
    )
    if family == "roberta":
        specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
        vocab = {token: i for i, token in enumerate(specials + _bytes_to_unicode())}
        tokenizer = transformers.RobertaTokenizer(
            vocab=vocab, merges=[], model_max_length=FAMILY_MAX_LENGTH
        )
        config = transformers.RobertaConfig(
            vocab_size=len(vocab),
            pad_token_id=1,
            max_position_embeddings=FAMILY_MAX_LENGTH + 8,
            num_labels=16,
            **common,
        )
        names = ("RobertaForSequenceClassification", "RobertaTokenizer")
        classes, num_classes = UNBIASED_CLASSES, 16
    elif family == "xlm-roberta":
        pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
        pieces += [("▁" + w, -5.0) for w in WORDS] + [(c, -8.0) for c in LETTERS + ".,!?'"]
        pieces += [("▁", -3.0), ("<mask>", 0.0)]
        tokenizer = transformers.XLMRobertaTokenizer(
            vocab=pieces, model_max_length=FAMILY_MAX_LENGTH
        )
        config = transformers.XLMRobertaConfig(
            vocab_size=len(pieces),
            pad_token_id=1,
            max_position_embeddings=FAMILY_MAX_LENGTH + 8,
            num_labels=16,
            **common,
        )
        names = ("XLMRobertaForSequenceClassification", "XLMRobertaTokenizer")
        classes, num_classes = UNBIASED_CLASSES, 16
    elif family == "albert":
        pieces = [("<pad>", 0.0), ("<unk>", 0.0), ("[CLS]", 0.0), ("[SEP]", 0.0), ("[MASK]", 0.0)]
        pieces += [("▁" + w, -5.0) for w in WORDS] + [(c, -8.0) for c in LETTERS + ".,!?'"]
        pieces += [("▁", -3.0)]
        tokenizer = transformers.AlbertTokenizer(vocab=pieces, model_max_length=FAMILY_MAX_LENGTH)
        config = transformers.AlbertConfig(
            vocab_size=len(pieces),
            embedding_size=16,
            max_position_embeddings=FAMILY_MAX_LENGTH + 8,
            num_labels=6,
            **common,
        )
        names = ("AlbertForSequenceClassification", "AlbertTokenizer")
        classes, num_classes = ORIGINAL_CLASSES, 6
    else:
        raise ValueError(family)
    config.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    torch.manual_seed(seed)
    model = getattr(transformers, names[0])(config)
    checkpoint = root / f"{family}-tiny.ckpt"
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        "model_type": str(hf_dir),
                        "model_name": names[0],
                        "tokenizer_name": names[1],
                        "num_classes": num_classes,
                    }
                },
                "dataset": {"args": {"classes": list(classes)}},
            },
            "state_dict": model.state_dict(),
        },
        checkpoint,
    )
    return checkpoint, hf_dir
