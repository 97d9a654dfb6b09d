"""How the Detoxify backend cuts sorted windows into model batches (pure logic)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from modtool.scoring.detoxify_backend import MIN_BATCH_TOKENS, PAD_SLACK, _chunks


@given(st.lists(st.integers(3, 512), min_size=1, max_size=300), st.integers(512, 20_000))
def test_every_window_once_in_order_within_budget(lengths: list[int], budget: int) -> None:
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    chunks = _chunks(order, lengths, budget)
    assert [i for chunk in chunks for i in chunk] == order
    for chunk in chunks:
        width = lengths[chunk[0]]
        assert len(chunk) == 1 or len(chunk) * width <= budget
        # a window much shorter than the batch's width only joins a small batch
        for position, index in enumerate(chunk[1:], 1):
            if lengths[index] < (1 - PAD_SLACK) * width:
                assert position * width < MIN_BATCH_TOKENS


def test_mixed_lengths_waste_little_padding() -> None:
    rng = random.Random(3)
    lengths = [rng.randint(12, 260) for _ in range(32)]
    order = sorted(range(32), key=lambda i: lengths[i], reverse=True)
    chunks = _chunks(order, lengths, 16_384)
    padded = sum(len(c) * lengths[c[0]] for c in chunks)
    assert len(chunks) > 1
    assert padded <= 1.25 * sum(lengths)  # one padded batch of 32 would be ~1.8x
