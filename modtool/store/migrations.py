"""Numbered, transactional schema migrations.

Each migration is a function that takes the database and changes the schema
by one step; it runs inside a transaction together with the bump of
``PRAGMA user_version``, so a database is always at exactly one version.
Never edit a released migration: add a new one at the end of ``MIGRATIONS``.
A migration's number is its place in ``MIGRATIONS`` (the ``user_version`` it
brings a database to), and its function is named after it (``m007_…``).
The schema is documented in ``docs/schema.md``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _run(db: sqlite_utils.Database, statements: str) -> None:
    for statement in statements.split(";\n"):
        if statement.strip():
            db.execute(statement)


def m001_threads_and_comments(db: sqlite_utils.Database) -> None:
    """Threads and their comment trees."""
    _run(
        db,
        """
        CREATE TABLE threads (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            article TEXT NOT NULL DEFAULT '',
            article_source TEXT,
            article_hash TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX threads_source ON threads(source);
        CREATE INDEX threads_article_hash ON threads(article_hash);
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES threads(id),
            parent_id INTEGER REFERENCES comments(id),
            position INTEGER NOT NULL,
            depth INTEGER NOT NULL,
            path TEXT NOT NULL,
            author TEXT NOT NULL,
            body TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            line INTEGER,
            present INTEGER NOT NULL DEFAULT 1,
            imported_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX comments_thread_position ON comments(thread_id, position);
        CREATE INDEX comments_parent ON comments(parent_id);
        CREATE INDEX comments_author ON comments(author)
        """,
    )


def m002_scores(db: sqlite_utils.Database) -> None:
    """Toxicity scores, several models side by side."""
    _run(
        db,
        """
        CREATE TABLE models (
            id TEXT PRIMARY KEY,
            scorer TEXT NOT NULL,
            name TEXT NOT NULL,
            attributes TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}',
            first_used_at TEXT NOT NULL
        );
        CREATE TABLE scores (
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            model TEXT NOT NULL REFERENCES models(id),
            attribute TEXT NOT NULL,
            score REAL NOT NULL,
            content_hash TEXT NOT NULL,
            windowed INTEGER NOT NULL DEFAULT 0,
            scored_at TEXT NOT NULL,
            PRIMARY KEY (comment_id, model, attribute)
        );
        CREATE INDEX scores_model_attribute ON scores(model, attribute, score)
        """,
    )


def m003_policies_labels_actions(db: sqlite_utils.Database) -> None:
    """Policies, suggestions, per-moderator labels and review states, the audit log."""
    _run(
        db,
        """
        CREATE TABLE policies (
            hash TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            path TEXT,
            content TEXT NOT NULL,
            first_seen_at TEXT NOT NULL
        );
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            policy_name TEXT NOT NULL,
            policy_hash TEXT NOT NULL,
            label TEXT NOT NULL,
            rule TEXT NOT NULL,
            automatic INTEGER NOT NULL DEFAULT 0,
            reasons TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        CREATE INDEX suggestions_comment ON suggestions(comment_id, policy_name);
        CREATE TABLE labels (
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            moderator TEXT NOT NULL,
            label TEXT NOT NULL,
            policy_name TEXT NOT NULL,
            policy_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (comment_id, moderator, label, policy_name)
        );
        CREATE INDEX labels_policy ON labels(policy_name, label);
        CREATE TABLE reviews (
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            moderator TEXT NOT NULL,
            policy_name TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('unreviewed', 'approved', 'labeled')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (comment_id, moderator, policy_name)
        );
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            actor_kind TEXT NOT NULL CHECK (actor_kind IN ('moderator', 'policy')),
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            policy_name TEXT NOT NULL,
            policy_hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            label TEXT,
            before TEXT NOT NULL,
            after TEXT NOT NULL,
            reverts INTEGER REFERENCES actions(id),
            note TEXT
        );
        CREATE INDEX actions_comment ON actions(comment_id);
        CREATE INDEX actions_actor ON actions(actor, policy_name, id);
        CREATE TRIGGER actions_append_only_update BEFORE UPDATE ON actions
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER actions_append_only_delete BEFORE DELETE ON actions
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """,
    )


def m004_platform_identity(db: sqlite_utils.Database) -> None:
    """Platform exports (issue 10): every thread and comment carries its platform identity.

    Older threads were all plain text: they get ``platform = 'text'``, the hash
    of title + article as external id (what the plain-text importer uses), and
    their comments the numbering path. The indexes serve the identity that
    re-imports match on: ``(platform, external_id)`` per thread, and a
    comment's platform id (``(external_id, thread_id)``: ids repeat across
    threads; a moderator names a comment by it). The comment index is not UNIQUE: a plain-text comment that vanished keeps the
    path it last had, which a newer comment may hold now, and a comment that
    moves up takes a path another one still holds until the end of the import
    (``importers/tree.py`` keeps platform ids unique within a thread).
    """
    _run(
        db,
        """
        ALTER TABLE comments ADD COLUMN external_id TEXT;
        ALTER TABLE comments ADD COLUMN parent_external_id TEXT;
        ALTER TABLE comments ADD COLUMN orphan INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE comments ADD COLUMN status TEXT NOT NULL DEFAULT 'visible';
        ALTER TABLE comments ADD COLUMN created_at TEXT;
        ALTER TABLE comments ADD COLUMN meta TEXT;
        ALTER TABLE threads ADD COLUMN platform TEXT NOT NULL DEFAULT 'text';
        ALTER TABLE threads ADD COLUMN external_id TEXT;
        ALTER TABLE threads ADD COLUMN url TEXT;
        ALTER TABLE threads ADD COLUMN created_at TEXT;
        ALTER TABLE threads ADD COLUMN missing INTEGER NOT NULL DEFAULT 0;
        UPDATE comments SET external_id = path;
        UPDATE comments SET parent_external_id =
            (SELECT p.path FROM comments p WHERE p.id = comments.parent_id)
            WHERE parent_id IS NOT NULL;
        UPDATE threads SET external_id = article_hash;
        CREATE INDEX threads_platform_external ON threads(platform, external_id);
        CREATE INDEX comments_external ON comments(external_id, thread_id)
        """,
    )


_FTS = (
    """
CREATE TABLE fts_paused (reason TEXT NOT NULL)
    """,
    """
CREATE VIRTUAL TABLE [comments_fts] USING FTS5 (
    [body], [author],
    content=[comments]
)
    """,
    """
CREATE TRIGGER [comments_ai] AFTER INSERT ON [comments]
WHEN NOT EXISTS (SELECT 1 FROM fts_paused) BEGIN
  INSERT INTO [comments_fts] (rowid, [body], [author])
  VALUES (new.rowid, new.[body], new.[author]);
END
    """,
    """
CREATE TRIGGER [comments_ad] AFTER DELETE ON [comments] BEGIN
  INSERT INTO [comments_fts] ([comments_fts], rowid, [body], [author])
  VALUES('delete', old.rowid, old.[body], old.[author]);
END
    """,
    """
CREATE TRIGGER [comments_au] AFTER UPDATE OF [body], [author] ON [comments]
WHEN old.[body] IS NOT new.[body] OR old.[author] IS NOT new.[author] BEGIN
  INSERT INTO [comments_fts] ([comments_fts], rowid, [body], [author])
  VALUES('delete', old.rowid, old.[body], old.[author]);
  INSERT INTO [comments_fts] (rowid, [body], [author])
  VALUES (new.rowid, new.[body], new.[author]);
END
    """,
    """
INSERT INTO [comments_fts] ([comments_fts]) VALUES ('rebuild')
    """,
    """
CREATE VIRTUAL TABLE [threads_fts] USING FTS5 (
    [title],
    content=[threads]
)
    """,
    """
CREATE TRIGGER [threads_ai] AFTER INSERT ON [threads] BEGIN
  INSERT INTO [threads_fts] (rowid, [title]) VALUES (new.rowid, new.[title]);
END
    """,
    """
CREATE TRIGGER [threads_ad] AFTER DELETE ON [threads] BEGIN
  INSERT INTO [threads_fts] ([threads_fts], rowid, [title])
  VALUES('delete', old.rowid, old.[title]);
END
    """,
    """
CREATE TRIGGER [threads_au] AFTER UPDATE OF [title] ON [threads]
WHEN old.[title] IS NOT new.[title] BEGIN
  INSERT INTO [threads_fts] ([threads_fts], rowid, [title])
  VALUES('delete', old.rowid, old.[title]);
  INSERT INTO [threads_fts] (rowid, [title]) VALUES (new.rowid, new.[title]);
END
    """,
    """
INSERT INTO [threads_fts] ([threads_fts]) VALUES ('rebuild')
    """,
)
"""m005's full-text indexes, one statement each (trigger bodies hold semicolons)."""


def m005_site_moderation(db: sqlite_utils.Database) -> None:
    """Moderating a whole site (issue 21): edited-after-review, full-text search,
    bulk action groups, claims.

    * ``labels``, ``reviews`` and ``actions`` record the ``content_hash`` of the
      comment (author + body) they were given for. Existing labels and reviews
      get the comment's current hash (what they were given for cannot be known
      any more); existing actions keep NULL (the audit log is append-only).
    * ``action_groups``: a bulk action (a subtree, an author, a marked
      selection) is one group of actions, undone as one step; append-only.
    * ``claims``: a moderator's short lease on the comment open in their UI.
    * ``comments_account``: a commenter's platform account where it is not the
      author name (Disqus ``username`` in ``meta``), for ``modtool author``.
    * ``comments_fts`` (body, author) and ``threads_fts`` (title): FTS5 indexes
      made as ``sqlite-utils enable-fts --create-triggers`` makes them (so
      ``sqlite-utils search`` and Datasette's ``_search`` find them), built for the
      rows already stored. The update triggers fire only when the indexed text
      changes. The insert trigger on comments stands aside while ``fts_paused``
      has a row: an import inserts that row, its comments, deletes the row and
      indexes the new comments in one statement, inside its own transaction
      (no other connection ever sees the row): measured here, the trigger
      indexing 100,000 inserted comments row by row took 6.8 s, one
      ``INSERT … SELECT`` into the index 0.9 s.
    """
    _run(
        db,
        """
        ALTER TABLE labels ADD COLUMN content_hash TEXT;
        ALTER TABLE reviews ADD COLUMN content_hash TEXT;
        ALTER TABLE actions ADD COLUMN content_hash TEXT;
        UPDATE labels SET content_hash =
            (SELECT c.content_hash FROM comments c WHERE c.id = labels.comment_id);
        UPDATE reviews SET content_hash =
            (SELECT c.content_hash FROM comments c WHERE c.id = reviews.comment_id);
        CREATE TABLE action_groups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            policy_name TEXT NOT NULL,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            reverts INTEGER REFERENCES action_groups(id),
            note TEXT
        );
        CREATE TRIGGER action_groups_append_only_update BEFORE UPDATE ON action_groups
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER action_groups_append_only_delete BEFORE DELETE ON action_groups
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        ALTER TABLE actions ADD COLUMN group_id INTEGER REFERENCES action_groups(id);
        CREATE INDEX actions_group ON actions(group_id) WHERE group_id IS NOT NULL;
        CREATE INDEX actions_reverts ON actions(reverts) WHERE reverts IS NOT NULL;
        CREATE TABLE claims (
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            policy_name TEXT NOT NULL,
            moderator TEXT NOT NULL,
            holder TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            expires_at REAL NOT NULL,
            PRIMARY KEY (comment_id, policy_name)
        );
        CREATE INDEX claims_holder ON claims(holder);
        CREATE INDEX comments_created ON comments(created_at);
        CREATE INDEX comments_account ON comments(
            (CASE WHEN json_valid(meta) THEN json_extract(meta, '$.username') END));
        CREATE INDEX reviews_moderator ON reviews(moderator, policy_name, state)
        """,
    )
    for statement in _FTS:
        db.execute(statement)


def m006_platform_actions(db: sqlite_utils.Database) -> None:
    """Decisions applied on a platform (``modtool decisions --apply``): the audit of each
    request and the platform's answer, append-only like ``actions``.

    One row per decision sent (or found already in effect, or failed) on one site:
    ``outcome`` is ``applied`` (the platform changed the status), ``unchanged``
    (it already had the status asked for) or ``failed`` (the answer says why). A
    decision is known by ``(comment_id, site, decided_at, requested)``: a re-run
    finds it and sends nothing. No column holds a credential or the platform's
    copy of the commenter's e-mail or IP.
    """
    _run(
        db,
        """
        CREATE TABLE platform_actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            platform TEXT NOT NULL,
            site TEXT NOT NULL,
            external_id TEXT NOT NULL,
            decision TEXT NOT NULL,
            requested TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            policy_name TEXT NOT NULL,
            policy_hashes TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'unchanged', 'failed')),
            http_status INTEGER,
            status_before TEXT,
            status_after TEXT,
            answer TEXT
        );
        CREATE INDEX platform_actions_comment ON platform_actions(comment_id, site);
        CREATE TRIGGER platform_actions_append_only_update BEFORE UPDATE ON platform_actions
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER platform_actions_append_only_delete BEFORE DELETE ON platform_actions
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """,
    )


M005_SLOTS = 16
"""REAL columns ``s0`` … ``s15`` of ``comment_scores`` (m007): fixed here for good."""

_M005_VIEW_CASE = " ".join(f"WHEN {i} THEN s.s{i}" for i in range(M005_SLOTS))


def m007_scores_by_comment_and_model(db: sqlite_utils.Database) -> None:
    """Scores as one row per (comment, model) holding every attribute (issue 19.2).

    ``models`` gets a small integer ``key``; ``comment_scores`` holds one row
    per comment and model: the text hash, the windowed flag, the time, and the
    model's attributes by their position in ``models.attributes`` (attribute
    *i* in column ``s<i>`` for *i* < 16, later ones in the JSON object
    ``extra``). The one-row-per-attribute table becomes the view ``scores``
    with the same columns, for SQL written against it.

    Every stored score is carried over with its model, text hash, windowed flag
    and time, so what was current stays current and what was stale stays stale.
    Three things the old table allowed and the new one does not, none of which
    modtool wrote: values that are not finite or not in [0, 1] (issue 16.8: a
    hostile shard; never shown correctly, and they crashed exports) are dropped;
    scores of a comment id that no longer exists are dropped; and where one
    comment's attribute rows by one model carry different text hashes, the rows
    of the comment's current text are kept (else those of the latest hash):
    the others were stale, so nothing read them. An attribute stored but not in
    its model's list is appended to the list.
    """
    _run(
        db,
        f"""
        ALTER TABLE models ADD COLUMN key INTEGER;
        UPDATE models SET key = rowid;
        CREATE UNIQUE INDEX models_key ON models(key);
        CREATE TABLE comment_scores (
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            model_key INTEGER NOT NULL REFERENCES models(key),
            content_hash TEXT NOT NULL,
            windowed INTEGER NOT NULL DEFAULT 0,
            scored_at TEXT NOT NULL,
            {", ".join(f"s{i} REAL CHECK (s{i} BETWEEN 0.0 AND 1.0)" for i in range(M005_SLOTS))},
            extra TEXT,
            PRIMARY KEY (comment_id, model_key)
        ) WITHOUT ROWID;
        CREATE INDEX comment_scores_rank_s0 ON comment_scores(model_key, s0)
        """,
    )
    models: dict[str, tuple[int, list[str]]] = {
        model_id: (int(key), _m007_attributes(attributes))
        for model_id, key, attributes in db.execute("SELECT id, key, attributes FROM models")
    }
    grown: set[str] = set()
    insert = f"INSERT INTO comment_scores VALUES ({', '.join('?' * (6 + M005_SLOTS))})"
    chunk: list[tuple[object, ...]] = []
    for (comment_id, model_id), rows in _m007_groups(db):
        if model_id not in models:  # only if foreign keys were off when it was written
            key = int(db.execute("SELECT COALESCE(MAX(key), 0) + 1 FROM models").fetchone()[0])
            db.execute(
                "INSERT INTO models (id, scorer, name, attributes, details, first_used_at, key)"
                " VALUES (?, 'unknown', ?, '[]', '{}', ?, ?)",
                [model_id, model_id, min(row[4] for row in rows), key],
            )
            models[model_id] = (key, [])
        key, attributes = models[model_id]
        values: list[float | None] = [None] * M005_SLOTS
        extra: dict[str, float] = {}
        for attribute, score, *_ in rows:
            if attribute not in attributes:
                attributes.append(attribute)
                grown.add(model_id)
            position = attributes.index(attribute)
            if position < M005_SLOTS:
                values[position] = score
            else:
                extra[attribute] = score
        chunk.append(
            (
                comment_id,
                key,
                rows[0][2],
                max(int(row[3]) for row in rows),
                max(row[4] for row in rows),
                *values,
                json.dumps(extra, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                if extra
                else None,
            )
        )
        if len(chunk) >= 10_000:
            db.conn.executemany(insert, chunk)
            chunk = []
    if chunk:
        db.conn.executemany(insert, chunk)
    for model_id in sorted(grown):
        db.execute(
            "UPDATE models SET attributes = ? WHERE id = ?",
            [
                json.dumps(models[model_id][1], ensure_ascii=False, separators=(",", ":")),
                model_id,
            ],
        )
    _run(
        db,
        f"""
        DROP TABLE scores;
        CREATE VIEW scores (comment_id, model, attribute, score, content_hash, windowed,
                            scored_at) AS
            SELECT comment_id, model, attribute, score, content_hash, windowed, scored_at
            FROM (
                SELECT s.comment_id, m.id AS model, a.value AS attribute,
                       CASE a.key {_M005_VIEW_CASE} END AS score,
                       s.content_hash, s.windowed, s.scored_at
                FROM comment_scores s JOIN models m ON m.key = s.model_key,
                     json_each(m.attributes) a
                WHERE a.key < {M005_SLOTS}
            )
            WHERE score IS NOT NULL
            UNION ALL
            SELECT s.comment_id, m.id, e.key, e.value, s.content_hash, s.windowed, s.scored_at
            FROM comment_scores s JOIN models m ON m.key = s.model_key, json_each(s.extra) e
            WHERE s.extra IS NOT NULL
        """,
    )


def _m007_attributes(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def _m007_groups(
    db: sqlite_utils.Database,
) -> Iterator[tuple[tuple[int, str], list[tuple[str, float, str, int, str]]]]:
    """The old rows grouped by (comment, model), in primary-key order (streamed),
    reduced to the rows m007 keeps: ``(attribute, score, hash, windowed, scored_at)``."""
    cursor = db.conn.execute(
        """SELECT s.comment_id, s.model, s.attribute, s.score, s.content_hash, s.windowed,
                  s.scored_at, c.content_hash
           FROM scores s LEFT JOIN comments c ON c.id = s.comment_id
           ORDER BY s.comment_id, s.model, s.attribute"""
    )
    group: tuple[int, str] | None = None
    current: str | None = None
    rows: list[tuple[str, float, str, int, str]] = []

    def kept() -> list[tuple[str, float, str, int, str]]:
        hashes = {row[2] for row in rows}
        chosen = current if current in hashes else max(rows, key=lambda r: (r[4], r[2]))[2]
        return [row for row in rows if row[2] == chosen]

    for comment_id, model, attribute, score, chash, windowed, scored_at, now_hash in cursor:
        if (comment_id, model) != group:
            if group is not None and rows and current is not None:
                yield group, kept()
            group, current, rows = (comment_id, model), now_hash, []
        if isinstance(score, float | int) and math.isfinite(score) and 0.0 <= score <= 1.0:
            rows.append((attribute, float(score), chash, windowed, scored_at))
    if group is not None and rows and current is not None:
        yield group, kept()


def m008_site_models(db: sqlite_utils.Database) -> None:
    """Site models (issue 18): what `modtool train` learned from the moderators' labels.

    One row per trained model (its training set's size, the policy and its hash,
    the features it reads and the cross-validated metrics, as JSON), and one row
    per label it predicts with the linear model's weights as plain bytes
    (zlib-compressed little-endian float32; never a pickle).
    """
    _run(
        db,
        """
        CREATE TABLE site_models (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            policy_name TEXT NOT NULL,
            policy_hash TEXT NOT NULL,
            training_size INTEGER NOT NULL,
            features TEXT NOT NULL,
            metrics TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE site_model_labels (
            model_id TEXT NOT NULL REFERENCES site_models(id),
            label TEXT NOT NULL,
            positives INTEGER NOT NULL,
            negatives INTEGER NOT NULL,
            intercept REAL NOT NULL,
            weights BLOB NOT NULL,
            PRIMARY KEY (model_id, label)
        )
        """,
    )


def m009_sources_without_local_paths(db: sqlite_utils.Database) -> None:
    """``threads.source`` held the absolute path of the imported file (Datasette
    showed ``/home/NAME/…`` to anyone the database went to). Imports now record the
    path as the user named it, or the file name (``store/sources.py``); here every
    stored absolute path is cut to its file name, each part of a several-file
    source (``a + b``) alike, and ``policies.path`` too (a shipped policy showed
    its site-packages path). Thread identity never depended on the source, and
    export ids use only its file name, so no id changes. Self-contained on purpose:
    a migration must not change when the module it would import does."""
    from pathlib import PurePosixPath, PureWindowsPath

    def cut(part: str) -> str:
        if PurePosixPath(part).is_absolute() or PureWindowsPath(part).is_absolute():
            name = (PureWindowsPath if "\\" in part else PurePosixPath)(part).name
            return name or part
        return part

    rows = db.execute("SELECT id, source FROM threads").fetchall()
    for thread_id, source in rows:
        kept = " + ".join(cut(part) for part in source.split(" + "))
        if kept != source:
            db.execute("UPDATE threads SET source = ? WHERE id = ?", [kept, thread_id])
    # A policy's file likewise (a shipped policy showed its site-packages path).
    for policy_hash, path in db.execute("SELECT hash, path FROM policies").fetchall():
        if path and cut(path) != path:
            db.execute("UPDATE policies SET path = ? WHERE hash = ?", [cut(path), policy_hash])


MIGRATIONS: list[Migration] = [
    m001_threads_and_comments,
    m002_scores,
    m003_policies_labels_actions,
    m004_platform_identity,
    m005_site_moderation,
    m006_platform_actions,
    m007_scores_by_comment_and_model,
    m008_site_models,
    m009_sources_without_local_paths,
]

LATEST = len(MIGRATIONS)
