"""Site models (``modtool train``): stored with their training set's size, date,
policy hash, features and metrics; weights as plain bytes (never a pickle)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from modtool.store.common import dumps, loads, write_transaction

MAX_WEIGHTS_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SiteLabel:
    """One label's linear model: ``weights`` are little-endian float32 bytes."""

    label: str
    positives: int
    negatives: int
    intercept: float
    weights: bytes


@dataclass(frozen=True, slots=True)
class SiteModelRecord:
    id: str
    created_at: str
    policy_name: str
    policy_hash: str
    training_size: int
    features: dict[str, Any]
    metrics: dict[str, Any]
    labels: tuple[SiteLabel, ...] = field(default=())


class SiteModelRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(self, record: SiteModelRecord) -> None:
        """Store a model and its labels in one transaction."""
        with write_transaction(self.db):
            self.db.execute(
                """INSERT INTO site_models (id, created_at, policy_name, policy_hash,
                       training_size, features, metrics) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [
                    record.id,
                    record.created_at,
                    record.policy_name,
                    record.policy_hash,
                    record.training_size,
                    dumps(record.features),
                    dumps(record.metrics),
                ],
            )
            self.db.conn.executemany(
                """INSERT INTO site_model_labels (model_id, label, positives, negatives,
                       intercept, weights) VALUES (?, ?, ?, ?, ?, ?)""",
                [
                    (
                        record.id,
                        label.label,
                        label.positives,
                        label.negatives,
                        label.intercept,
                        zlib.compress(label.weights, 6),
                    )
                    for label in record.labels
                ],
            )

    def list(self) -> list[SiteModelRecord]:
        """Every site model, oldest first, without weights."""
        return [
            self._record(row, ())
            for row in self.db.execute(
                """SELECT id, created_at, policy_name, policy_hash, training_size, features,
                          metrics FROM site_models ORDER BY created_at, rowid"""
            )
        ]

    def latest_id(self) -> str | None:
        row = self.db.execute(
            "SELECT id FROM site_models ORDER BY created_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
        return None if row is None else str(row[0])

    def get(self, model_id: str) -> SiteModelRecord | None:
        """The model with its labels' weights (decompressed), or ``None``."""
        row = self.db.execute(
            """SELECT id, created_at, policy_name, policy_hash, training_size, features, metrics
               FROM site_models WHERE id = ?""",
            [model_id],
        ).fetchone()
        if row is None:
            return None
        labels = []
        for label, positives, negatives, intercept, blob in self.db.execute(
            """SELECT label, positives, negatives, intercept, weights FROM site_model_labels
               WHERE model_id = ? ORDER BY label""",
            [model_id],
        ):
            inflater = zlib.decompressobj()
            weights = inflater.decompress(blob, MAX_WEIGHTS_BYTES)
            if inflater.unconsumed_tail:
                raise ValueError(f"site model {model_id}: weights of {label} are too large")
            labels.append(SiteLabel(label, positives, negatives, intercept, weights))
        return self._record(row, tuple(labels))

    @staticmethod
    def _record(row: Any, labels: tuple[SiteLabel, ...]) -> SiteModelRecord:
        model_id, created, name, policy_hash, size, features, metrics = row
        return SiteModelRecord(
            model_id, created, name, policy_hash, size, loads(features), loads(metrics), labels
        )
