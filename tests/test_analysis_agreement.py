"""Majority aggregation, and agreement figures against values computed by hand."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from modtool.analysis.aggregate import aggregate
from modtool.analysis.agreement import ANY_LABEL, agreement
from modtool.cli.analysis_views import agreement_view
from modtool.cli.tables import layout
from modtool.models import PolicyRef
from modtool.store import Store
from modtool.store.dataset import Annotation, Selection
from tests.labeled_sample import POLICY, label_sample

KEYS = frozenset({"insult", "off_topic"})


def ann(moderator: str, *labels: str, state: str | None = None) -> Annotation:
    return Annotation(
        moderator,
        state or ("labeled" if labels else "approved"),
        labels,
        "2026-01-01T00:00:00+00:00",
        "h",
    )


def test_majority_and_ties() -> None:
    assert aggregate([]).reviewers == 0
    result = aggregate([ann("a", "insult"), ann("b", "insult", "spam"), ann("c")])
    assert result.labels == ("insult",) and result.tied == () and result.reviewers == 3
    result = aggregate([ann("a", "insult"), ann("b")])
    assert result.labels == () and result.tied == ("insult",)
    assert result.verdict("insult") is None and result.verdict("spam") is False
    result = aggregate([ann("a", "x", "y"), ann("b", "x"), ann("c", "y"), ann("d", "x")])
    assert result.labels == ("x",) and result.tied == ("y",)
    assert aggregate([ann("a", state="unreviewed")]).reviewers == 0


def label(
    store: Store, moderator: str, policy: PolicyRef, verdicts: dict[int, tuple[str, ...]]
) -> None:
    for comment_id, labels in verdicts.items():
        if not labels:
            store.labels.approve(comment_id, moderator=moderator, policy=policy)
        for key in labels:
            store.labels.add(comment_id, key, moderator=moderator, policy=policy)


def test_cohen_kappa_by_hand(sample_store: Store) -> None:
    policy = PolicyRef("hand", "h1", KEYS)
    # insult:    A = 1 1 0 0 1 0   B = 1 0 0 0 1 1   (comments 1..6)
    # off_topic: both on comment 3 only.  Comment 7: A only (not an item).
    label(
        sample_store,
        "A",
        policy,
        {
            1: ("insult",),
            2: ("insult",),
            3: ("off_topic",),
            4: (),
            5: ("insult",),
            6: (),
            7: ("insult",),
        },
    )
    label(
        sample_store,
        "B",
        policy,
        {1: ("insult",), 2: (), 3: ("off_topic",), 4: (), 5: ("insult",), 6: ("insult",)},
    )
    rows = sample_store.dataset.iter_rows(Selection(policy="hand", labeled_only=True))
    report = agreement(rows, "hand", ["insult", "off_topic"])
    assert report.method == "cohen_kappa" and report.moderators == ["A", "B"]
    by_label = {row.label: row for row in report.labels}
    # p_o = 4/6, p_e = (3/6)(3/6) + (3/6)(3/6) = 1/2, kappa = (2/3 - 1/2) / (1/2) = 1/3
    assert by_label["insult"].value == pytest.approx(1 / 3)
    assert by_label["insult"].items == 6
    assert by_label["insult"].observed == pytest.approx(4 / 6)
    assert by_label["insult"].positives == 6
    # identical verdicts with both values present: kappa = 1
    assert by_label["off_topic"].value == pytest.approx(1.0)
    # any label: A = 1 1 1 0 1 0, B = 1 0 1 0 1 1: p_o = 4/6, p_e = 16/36 + 4/36 = 5/9,
    # kappa = (2/3 - 5/9) / (4/9) = 1/4
    assert by_label[ANY_LABEL].value == pytest.approx(1 / 4)


def test_krippendorff_alpha_by_hand(sample_store: Store) -> None:
    policy = PolicyRef("hand3", "h1", KEYS)
    # insult on comments 1..4 (C did not review 2):
    #   1: A1 B1 C1   2: A1 B0 C-   3: A0 B0 C0   4: A0 B1 C0
    label(sample_store, "A", policy, {1: ("insult",), 2: ("insult",), 3: (), 4: ()})
    label(sample_store, "B", policy, {1: ("insult",), 2: (), 3: (), 4: ("insult",)})
    label(sample_store, "C", policy, {1: ("insult",), 3: (), 4: ()})
    rows = sample_store.dataset.iter_rows(Selection(policy="hand3", labeled_only=True))
    report = agreement(rows, "hand3", ["insult"])
    assert report.method == "krippendorff_alpha"
    insult = report.labels[0]
    # Coincidences: o00 = 3 + 1 = 4, o11 = 3, o01 = o10 = 1 + 1 = 2; n = 11, n0 = 6, n1 = 5.
    # D_o = 4/11, D_e = 2 * 6 * 5 / (11 * 10) = 6/11, alpha = 1 - (4/11)/(6/11) = 1/3
    assert insult.value == pytest.approx(1 / 3)
    assert insult.items == 4
    # pairs: item1 3 agree of 3, item2 0 of 1, item3 3 of 3, item4 1 of 3 -> 7/10
    assert insult.observed == pytest.approx(7 / 10)


def test_undefined_when_all_verdicts_agree_on_absence(sample_store: Store) -> None:
    policy = PolicyRef("flat", "h1", KEYS)
    label(sample_store, "A", policy, {1: (), 2: ()})
    label(sample_store, "B", policy, {1: (), 2: ()})
    report = agreement(sample_store.dataset.iter_rows(Selection(policy="flat")), "flat", ["insult"])
    assert report.labels[0].value is None and report.labels[0].items == 2
    assert report.labels[0].observed == 1.0 and "undefined" in report.labels[0].note


def test_agreement_cli(sample_store: Store, run_cli) -> None:
    label_sample(sample_store)
    result = run_cli("agreement", "--policy", "jigsaw-test")
    assert result.returncode == 1 and "two or more raters" in result.stderr
    result = run_cli("agreement", "--policy", POLICY, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    by_label = {row["label"]: row for row in report["labels"]}
    # both reviewed 4, 8, 9, 17. insult: alice 1 0 1 1, bob 1 0 0 1:
    # p_o = 3/4, p_e = (3/4)(2/4) + (1/4)(2/4) = 1/2, kappa = 1/2
    assert by_label["insult"]["value"] == pytest.approx(0.5)
    assert by_label["insult"]["items"] == 4
    # off_topic: alice 0 0 0 0, bob 0 0 0 1: p_o = 3/4 = p_e, kappa = 0
    assert by_label["off_topic"]["value"] == pytest.approx(0.0)
    # the table, rendered in-process (importing scikit-learn takes seconds per process)
    console = Console(width=120, record=True, file=io.StringIO())
    rows = sample_store.dataset.iter_rows(Selection(policy=POLICY, labeled_only=True))
    console.print(layout(agreement_view(agreement(rows, POLICY, ["insult", "off_topic"])), 120))
    text = console.export_text()
    assert "Cohen's kappa" in text and "alice, bob" in text
    assert any(
        line.split("│")[1].strip() == "insult" and "0.500" in line
        for line in text.splitlines()
        if line.count("│") > 2
    )
    result = run_cli("agreement", "--policy", POLICY, "--moderators", "alice,zed")
    assert result.returncode == 1 and "zed" in result.stderr
