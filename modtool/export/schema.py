"""The record's types, written once: Parquet's Arrow schema and the dataset card's
Hugging Face ``features`` are both derived from here, so they cannot drift apart.

A type is ``"int64"``, ``"float64"``, ``"bool"``, ``"string"``, ``("list", T)``
or ``("struct", ((name, T), ...))``. Every column is typed explicitly, so a
reader never infers ``List(null)`` from a column that happens to be empty in a
file (huggingface/datasets#7222) nor a number from a label name.
"""

from __future__ import annotations

from typing import Any

Type = str | tuple[str, Any]
Fields = tuple[tuple[str, Type], ...]

STRINGS: Type = ("list", "string")

SCORE: Type = ("struct", (("model", "string"), ("attribute", "string"), ("score", "float64")))
ANNOTATION: Type = (
    "struct",
    (
        ("moderator", "string"),
        ("state", "string"),
        ("labels", STRINGS),
        ("updated_at", "string"),
        ("policy_hash", "string"),
        ("stale", "bool"),
        ("notes", STRINGS),
    ),
)
SPAN: Type = ("struct", (("field", "string"), ("start", "int64"), ("end", "int64")))
SUGGESTION: Type = (
    "struct",
    (
        ("rule", "string"),
        ("label", "string"),
        ("automatic", "bool"),
        ("reason", "string"),
        ("spans", ("list", SPAN)),
        ("reasons_json", "string"),
        ("policy_hash", "string"),
    ),
)
POLICY: Type = ("struct", (("name", "string"), ("hashes", STRINGS)))

RECORD: Fields = (
    ("id", "int64"),
    ("global_id", "string"),
    ("thread_id", "int64"),
    ("thread_global_id", "string"),
    ("platform", "string"),
    ("thread_external_id", "string"),
    ("external_id", "string"),
    ("parent_id", "int64"),
    ("parent_global_id", "string"),
    ("depth", "int64"),
    ("path", "string"),
    ("position", "int64"),
    ("author", "string"),
    ("created_at", "string"),
    ("text", "string"),
    ("parent_text", "string"),
    ("scores", ("list", SCORE)),
    ("labels", STRINGS),
    ("tied_labels", STRINGS),
    ("reviewers", "int64"),
    ("labels_stale", "bool"),
    ("annotations", ("list", ANNOTATION)),
    ("suggestions", ("list", SUGGESTION)),
    ("policy", POLICY),
)


def to_arrow(kind: Type) -> Any:
    import pyarrow as pa

    if isinstance(kind, str):
        return {
            "int64": pa.int64(),
            "float64": pa.float64(),
            "bool": pa.bool_(),
            "string": pa.string(),
        }[kind]
    tag, inner = kind
    if tag == "list":
        return pa.list_(to_arrow(inner))
    return pa.struct([(name, to_arrow(sub)) for name, sub in inner])


def arrow_schema(fields: Fields) -> Any:
    import pyarrow as pa

    return pa.schema([(name, to_arrow(kind)) for name, kind in fields])


def hf_feature(name: str | None, kind: Type) -> dict[str, Any]:
    """One entry of a card's ``features`` list (the YAML form ``datasets`` reads)."""
    entry: dict[str, Any] = {} if name is None else {"name": name}
    if isinstance(kind, str):
        return entry | {"dtype": kind}
    tag, inner = kind
    if tag == "list":
        if isinstance(inner, str):
            return entry | {"list": inner}
        if inner[0] == "struct":
            return entry | {"list": [hf_feature(n, k) for n, k in inner[1]]}
        return entry | {"list": hf_feature(None, inner)}
    return entry | {"struct": [hf_feature(n, k) for n, k in inner]}


def hf_features(fields: Fields) -> list[dict[str, Any]]:
    return [hf_feature(name, kind) for name, kind in fields]
