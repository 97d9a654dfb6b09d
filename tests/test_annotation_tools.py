"""Label Studio, Argilla and Prodigy: out and back (issue 12.3).

The fixtures hold the same verdicts: on #4 one annotator says insult, another
insult + spam; on #10 the first approves, the second's answer does not count
(cancelled, a draft, ignored). Where each shape comes from:

* ``label-studio/export.json``: Label Studio's JSON export, as labelstud.io
  /guide/export ("Label Studio JSON format of annotated tasks") shows it: tasks
  with ``id``, ``data``, ``annotations`` (``id``, ``completed_by`` as the user's
  numeric id, ``result`` items ``from_name``/``to_name``/``type: choices``/
  ``value.choices``, ``was_cancelled``, ``created_at``/``updated_at``), ``predictions``.
* ``label-studio/export-min.json``: JSON-MIN, as HumanSignal's converter
  (label_studio_sdk/converter/converter.py ``convert_to_json_min``, utils.py
  ``prettify_result``/``get_annotator``) writes it: the task's data keys flat,
  ``id``, the tag's choices (one as a string, several as ``{"choices": [...]}``),
  ``annotator``, ``annotation_id``, ``created_at``, ``updated_at``, ``lead_time``;
  cancelled annotations left out.
* ``argilla/records.json``: Argilla 2.x ``dataset.records.to_json`` (argilla/src/
  argilla/records/_io/_json.py: ``GenericIO.to_list(flatten=False)`` of
  ``Record.to_dict()`` in records/_resource.py: ``id``, ``fields``, ``metadata``,
  ``suggestions`` {question: {value, score, agent}}, ``responses`` {question:
  [{value, user_id, status}]}, ``vectors``, ``status``, ``_server_id``; argilla
  2.8.0's ``to_dict`` leaves the response ``status`` out: see the test below).
* ``argilla/records-flat.json``: ``records.to_list(flatten=True)`` (records/_io/
  _generic.py ``_record_to_dict``: fields and metadata at the top,
  ``label.responses``/``.users``/``.status`` as parallel lists, ``label.suggestion``,
  ``.score``, ``.agent``), the columns ``to_hub`` writes too.
* ``prodigy/db-out.jsonl``: ``prodigy db-out`` of a ``textcat.manual`` dataset with
  several ``--label``s (prodi.gy/docs/recipes#textcat-manual, explosion/
  prodigy-recipes textcat/textcat_manual.py: ``choice`` view, ``options`` [{id,
  text}], the chosen ids in ``accept``, ``answer``, ``_annotator_id``,
  ``_session_id`` as ``DATASET-SESSION``, ``_input_hash``/``_task_hash``, ``_view_id``,
  ``_timestamp``)."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from modtool.models import ReviewState
from modtool.store import Store
from tests.cli_batch import run_batch
from tests.labeled_sample import POLICY, label_sample
from tests.test_export_cli import one_error_line

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {
    "label-studio": (
        FIXTURES / "label-studio" / "export.json",
        "label-studio:7",
        "label-studio:12",
    ),
    "label-studio-min": (
        FIXTURES / "label-studio" / "export-min.json",
        "label-studio:7",
        "label-studio:12",
    ),
    "argilla": (
        FIXTURES / "argilla" / "records.json",
        "argilla:a3b1c2d4-1111-4e5f-8a9b-0c1d2e3f4a5b",
        "argilla:b7c8d9e0-2222-4f6a-9b0c-1d2e3f4a5b6c",
    ),
    "argilla-flat": (
        FIXTURES / "argilla" / "records-flat.json",
        "argilla:a3b1c2d4-1111-4e5f-8a9b-0c1d2e3f4a5b",
        "argilla:b7c8d9e0-2222-4f6a-9b0c-1d2e3f4a5b6c",
    ),
    "prodigy": (
        FIXTURES / "prodigy" / "db-out.jsonl",
        "prodigy:moderation-ana",
        "prodigy:moderation-ben",
    ),
}


def states(db: Path) -> dict[tuple[int, str], ReviewState]:
    """Every review state under the policy, read with plain sqlite3 (opening a second
    store in this process while the fixture's is open would release its locks:
    open_store reads the file's header with Python's open/close, and closing any
    descriptor of a file drops the process's POSIX locks on it)."""
    with sqlite3.connect(db) as conn:
        labels: dict[tuple[int, str], set[str]] = {}
        for comment_id, moderator, label in conn.execute(
            "SELECT comment_id, moderator, label FROM labels WHERE policy_name = ?", [POLICY]
        ):
            labels.setdefault((comment_id, moderator), set()).add(label)
        return {
            (c, m): ReviewState(frozenset(labels.get((c, m), ())), state)
            for c, m, state in conn.execute(
                "SELECT comment_id, moderator, state FROM reviews WHERE policy_name = ? "
                "AND state != 'unreviewed'",
                [POLICY],
            )
        }


def actions(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM actions").fetchone()[0])


@pytest.mark.parametrize("tool", sorted(CASES))
def test_fixture_imports_idempotently(
    tool: str, sample_store: Store, run_cli, db_path: Path
) -> None:
    path, first, second = CASES[tool]
    tool = tool.removesuffix("-min").removesuffix("-flat")
    result = run_cli("import-labels", path, "--from", tool, "--policy", POLICY)
    assert result.returncode == 0, result.stderr
    assert "3 verdict(s) by 2 annotator(s)" in result.stdout and "3 changed" in result.stdout
    got = states(db_path)
    assert got == {
        (4, first): ReviewState(frozenset({"insult"}), "labeled"),
        (4, second): ReviewState(frozenset({"insult", "spam"}), "labeled"),
        (10, first): ReviewState(frozenset(), "approved"),
    }
    with sqlite3.connect(db_path) as conn:
        log = conn.execute("SELECT kind, note FROM actions WHERE actor = ?", [first]).fetchall()
    assert log == [("import", f"import-labels {path.name} ({tool})")] * 2
    before = actions(db_path)
    again = run_cli("import-labels", path, "--from", tool, "--policy", POLICY)
    assert again.returncode == 0 and "0 changed, 3 unchanged" in again.stdout
    assert actions(db_path) == before and states(db_path) == got


def test_refusals_leave_the_database_unchanged(
    sample_store: Store, run_cli, db_path: Path, tmp_path: Path
) -> None:
    tasks = json.loads(CASES["label-studio"][0].read_text())
    tasks[1]["annotations"][0]["result"][0]["value"]["choices"] = ["rude"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tasks))
    before = actions(db_path)
    one_error_line(
        run_cli("import-labels", bad, "--from", "label-studio", "--policy", POLICY),
        f"{bad}: record 2: label 'rude' is not in policy 'news-comments'",
    )
    # a renamed control: its choices are not ours, not an approval
    tasks = json.loads(CASES["label-studio"][0].read_text())
    tasks[1]["annotations"][0]["result"][0]["from_name"] = "sentiment"
    bad.write_text(json.dumps(tasks))
    one_error_line(
        run_cli("import-labels", bad, "--from", "label-studio", "--policy", POLICY),
        f'{bad}: record 2: no choices from the control named "label"',
    )
    rows = json.loads(CASES["label-studio-min"][0].read_text())
    rows[2]["sentiment"] = rows[2].pop("label")
    bad.write_text(json.dumps(rows))
    one_error_line(
        run_cli("import-labels", bad, "--from", "label-studio", "--policy", POLICY),
        f'{bad}: record 3: no choices from the control named "label"',
    )
    # a file from another database: the comment here is not the one it was exported from
    tasks = json.loads(CASES["label-studio"][0].read_text())
    tasks[0]["data"]["global_id"] = "wordpress:1:2"
    bad.write_text(json.dumps(tasks))
    one_error_line(
        run_cli("import-labels", bad, "--from", "label-studio", "--policy", POLICY),
        "record 1: comment #4 here is text:",
        "another database",
    )
    lines = CASES["prodigy"][0].read_text().splitlines()
    bad_lines = tmp_path / "bad.jsonl"
    bad_lines.write_text(
        "\n".join([lines[0], lines[1].replace('"moderation-ben"', '"\\u001b[2J"')])
    )
    one_error_line(
        run_cli("import-labels", bad_lines, "--from", "prodigy", "--policy", POLICY),
        "record 2: annotator id",
        "not a plain id",
    )
    # textcat.manual with one --label: the binary interface, no accept list
    binary = json.loads(lines[0])
    del binary["accept"], binary["options"]
    binary |= {"label": "insult", "_view_id": "classification"}
    bad_lines.write_text(json.dumps(binary) + "\n")
    one_error_line(
        run_cli("import-labels", bad_lines, "--from", "prodigy", "--policy", POLICY),
        f"{bad_lines}: record 1: no accept list",
    )
    assert actions(db_path) == before and states(db_path) == {}


def test_label_studio_users_are_ids_never_e_mail_addresses(
    sample_store: Store, run_cli, db_path: Path, tmp_path: Path
) -> None:
    """Old Label Studio exports give ``completed_by`` as a user object and JSON-MIN
    then gives its e-mail as ``annotator``: the id is used when there is one, and
    an e-mail alone is refused (no hash of it is stored either: still linkable)."""
    tasks = json.loads(CASES["label-studio"][0].read_text())
    tasks[0]["annotations"][0]["completed_by"] = {"id": 7, "email": "ana@example.org"}
    tasks[0]["annotations"][1]["completed_by"] = {"email": "ben@example.org"}
    bad = tmp_path / "users.json"
    bad.write_text(json.dumps(tasks))
    one_error_line(
        run_cli("import-labels", bad, "--from", "label-studio", "--policy", POLICY),
        f"{bad}: record 1: the annotator is known only by an e-mail address",
    )
    rows = json.loads(CASES["label-studio-min"][0].read_text())
    rows[1]["annotator"] = "ben@example.org"
    bad.write_text(json.dumps(rows))
    one_error_line(
        run_cli("import-labels", bad, "--from", "label-studio", "--policy", POLICY),
        f"{bad}: record 2: the annotator is known only by an e-mail address",
    )
    assert states(db_path) == {}
    del tasks[0]["annotations"][1]  # the user object with an id: the id is the moderator
    bad.write_text(json.dumps(tasks))
    result = run_cli("import-labels", bad, "--from", "label-studio", "--policy", POLICY)
    assert result.returncode == 0, result.stderr
    assert {m for _, m in states(db_path)} == {"label-studio:7"}
    with sqlite3.connect(db_path) as conn:
        stored = "\n".join(str(row) for row in conn.iterdump())
    assert "example.org" not in stored


def argilla_flat(records: list[dict]) -> list[dict]:
    """Nested records as ``records.to_list(flatten=True)`` gives them (argilla
    records/_io/_generic.py ``_record_to_dict``): fields and metadata at the top,
    one parallel list each for the responses' values, users and statuses."""
    flat = []
    for record in records:
        row = {k: v for k, v in record.items() if k not in ("fields", "metadata", "responses")}
        row |= record["fields"] | record["metadata"]
        answers = record["responses"].get("label", [])
        row["label.responses"] = [r["value"] for r in answers]
        row["label.responses.users"] = [r["user_id"] for r in answers]
        row["label.responses.status"] = [r.get("status") for r in answers]
        flat.append(row)
    return flat


def test_argilla_drafts_and_discarded_responses_are_no_verdict(
    sample_store: Store, run_cli, db_path: Path, tmp_path: Path
) -> None:
    """Issue 16.10. Only a ``submitted`` response is a verdict. argilla 2.8's nested
    ``records.json`` (``to_json``, ``to_disk``) writes responses as ``{value,
    user_id}``: a draft and a discarded answer that kept its value look submitted
    there, so a response without a status is refused, naming the flat form."""
    records = json.loads(CASES["argilla"][0].read_text())
    # record 2: ben's draft (spam); add carl's discarded answer that kept its value
    carl = "c9d0e1f2-3333-4a7b-8c9d-2e3f4a5b6c7d"
    records[1]["responses"]["label"].append(
        {"value": ["off_topic"], "user_id": carl, "status": "discarded"}
    )
    with_status = tmp_path / "with-status.json"
    with_status.write_text(json.dumps(records))
    # argilla 2.8's to_disk folder: the same records, the statuses left out
    folder = tmp_path / "to_disk"
    (folder / ".argilla").mkdir(parents=True)
    for record in records:
        for response in record["responses"]["label"]:
            del response["status"]
    (folder / "records.json").write_text(json.dumps(records))
    flat = argilla_flat(json.loads(with_status.read_text()))
    datasets = pytest.importorskip("datasets")
    hub = tmp_path / "records-hub.json"  # to_datasets() saved by datasets: JSON Lines
    datasets.Dataset.from_list(flat).to_json(hub)
    duplicate = json.loads(with_status.read_text())
    duplicate[0]["responses"]["label"].append(
        {
            "value": ["spam"],
            "user_id": duplicate[0]["responses"]["label"][0]["user_id"],
            "status": "submitted",
        }
    )
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps(duplicate))
    repeated = tmp_path / "repeated.json"  # the same answer twice: one verdict
    repeated.write_text(json.dumps(json.loads(with_status.read_text()) * 2))
    unequal = [dict(flat[0], **{"label.responses.status": ["submitted"]})]
    parallel = tmp_path / "parallel.json"
    parallel.write_text(json.dumps(unequal))
    argilla = ("import-labels", "--from", "argilla", "--policy", POLICY)
    runs = run_batch(
        [
            (argilla[0], folder, *argilla[1:]),
            (argilla[0], folder / "records.json", *argilla[1:]),
            (argilla[0], twice, *argilla[1:]),
            (argilla[0], parallel, *argilla[1:]),
            (argilla[0], with_status, *argilla[1:]),
            (argilla[0], hub, *argilla[1:]),
            (argilla[0], repeated, *argilla[1:]),
        ],
        db=db_path,
        cwd=tmp_path,
    )
    refused, refused_file, two_answers, not_parallel, nested, lines, again = runs
    for run in (refused, refused_file):
        one_error_line(
            run,
            "records.json: record 1: a response to 'label' has no status",
            "export the flat form",
            "to_list(flatten=True)",
        )
    one_error_line(
        two_answers,
        f"{twice}: record 1: two different answers by argilla:{CASES['argilla'][1][8:]}",
        "comment #4",
    )
    one_error_line(not_parallel, f"{parallel}: record 1: label.responses, .users and .status")
    assert nested.returncode == 0, nested.stderr
    assert "3 verdict(s) by 2 annotator(s) from with-status.json: 3 changed" in nested.stdout
    # the flat form says the same: ben's draft and carl's discarded answer are no verdicts
    assert lines.returncode == 0, lines.stderr
    assert "3 verdict(s) by 2 annotator(s) from records-hub.json: 0 changed" in lines.stdout
    assert again.returncode == 0, again.stderr
    assert "3 verdict(s) by 2 annotator(s) from repeated.json: 0 changed" in again.stdout
    assert not any(user.endswith(carl) for _, user in states(db_path))
    assert states(db_path)[(10, CASES["argilla"][1])] == ReviewState(frozenset(), "approved")


def answer(comment_id: int) -> list[str]:
    """What the tool's annotator decides in the round trip (approve = no label)."""
    return [["approve"], ["insult"], ["spam", "off_topic"]][comment_id % 3]


def expected(comment_id: int) -> ReviewState:
    labels = frozenset(a for a in answer(comment_id) if a != "approve")
    return ReviewState(labels, "labeled" if labels else "approved")


def edit_label_studio(folder: Path) -> Path:
    tasks = json.loads((folder / "tasks.json").read_text())
    # modtool's verdicts go as predictions (an imported annotation would be credited to
    # the importing user, and come back as theirs)
    assert all("annotations" not in task for task in tasks)
    assert any(json.loads(t["data"]["modtool_verdicts"]).get("alice") for t in tasks)
    for n, task in enumerate(tasks):
        # what Label Studio's JSON export gives back: ids, the predictions, one annotation
        task["id"] = 500 + n
        task["annotations"] = []
        task["annotations"].append(
            {
                "id": 7000 + n,
                "completed_by": 42,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2026-12-01T09:00:00Z",
                "updated_at": "2026-12-01T09:00:00Z",
                "result": [
                    {
                        "id": f"r{n}",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "choices",
                        "origin": "manual",
                        "value": {"choices": answer(task["data"]["modtool_id"])},
                    }
                ],
            }
        )
    out = folder / "ls-export.json"
    out.write_text(json.dumps(tasks))
    return out


def edit_argilla(folder: Path) -> Path:
    records = json.loads((folder / "argilla" / "records.json").read_text())
    # modtool's verdicts are metadata: a response's user must exist on the server
    assert all(record["responses"] == {} for record in records)
    assert any(json.loads(r["metadata"]["modtool_verdicts"]) for r in records)
    for record in records:
        record["_server_id"] = "3f0f3f2e-5b7a-4a8f-9c1d-2b6e7a8c9d01"
        record["responses"] = {
            "label": [
                {
                    "value": answer(record["metadata"]["modtool_id"]),
                    "user_id": "c0ffee00-0000-4000-8000-000000000042",
                    "status": "submitted",
                }
            ]
        }
    # the flat form (records.to_list(flatten=True)): it keeps the responses' status
    out = folder / "argilla-export.json"
    out.write_text(json.dumps(argilla_flat(records)))
    return out


def edit_prodigy(folder: Path) -> Path:
    lines = [json.loads(x) for x in (folder / "tasks.jsonl").read_text().splitlines()]
    # one task per comment: an answered copy in a source would be shown again
    assert len(lines) == 27 and not any("answer" in x for x in lines)
    answered = []
    for task in lines:
        answered.append(
            task
            | {
                "accept": answer(task["meta"]["modtool_id"]),
                "answer": "accept",
                "_annotator_id": "news-42",
                "_session_id": "news-42",
                "_view_id": "choice",
                "_timestamp": 1764580000,
            }
        )
    out = folder / "db-out.jsonl"
    out.write_text("\n".join(json.dumps(x) for x in answered) + "\n")
    return out


def test_round_trips_reproduce_the_labels(
    sample_store: Store, run_cli, db_path: Path, tmp_path: Path
) -> None:
    label_sample(sample_store, second_policy=False)
    own = states(db_path)
    exports = [
        ("label-studio", "tasks.json", edit_label_studio, "label-studio:42"),
        ("argilla", "argilla", edit_argilla, "argilla:c0ffee00-0000-4000-8000-000000000042"),
        ("prodigy", "tasks.jsonl", edit_prodigy, "prodigy:news-42"),
    ]
    for fmt, name, _, _ in exports:
        result = run_cli("export", "--format", fmt, "-o", tmp_path / name, "--policy", POLICY)
        assert result.returncode == 0, result.stderr
    config = ET.parse(tmp_path / "tasks.label-config.xml").getroot()
    choices = [c.get("value") for c in config.iter("Choice")]
    assert choices[0] == "approve" and {"insult", "spam", "off_topic"} <= set(choices)
    assert config.find("Choices").get("toName") == "text"
    # the folder rg.Dataset.from_disk reads: .argilla/{dataset,settings}.json, records.json
    settings = json.loads((tmp_path / "argilla" / ".argilla" / "settings.json").read_text())
    assert settings["questions"][0]["settings"]["type"] == "multi_label_selection"
    assert settings["questions"][0]["settings"]["visible_options"] >= 3  # Argilla: ge=3
    assert all(m["type"] == m["settings"]["type"] for m in settings["metadata"])
    assert "Name-calling" in settings["guidelines"]
    dataset = json.loads((tmp_path / "argilla" / ".argilla" / "dataset.json").read_text())
    assert dataset["name"] == f"{POLICY}-comments"
    for fmt, _, edit, user in exports:
        edited = edit(tmp_path)
        result = run_cli("import-labels", edited, "--from", fmt, "--policy", POLICY)
        assert result.returncode == 0, result.stderr
        assert "27 verdict(s) by 1 annotator(s)" in result.stdout  # modtool's own skipped
        got = states(db_path)
        assert {k: v for k, v in got.items() if k[1] == user} == {
            (i, user): expected(i) for i in range(1, 28)
        }
        assert {k: v for k, v in got.items() if ":" not in k[1]} == own  # alice, bob untouched
        again = run_cli("import-labels", edited, "--from", fmt, "--policy", POLICY)
        assert "0 changed, 27 unchanged" in again.stdout


def test_ids_and_times_are_what_they_say(
    sample_store: Store, db_path: Path, tmp_path: Path
) -> None:
    """Issue 16.11: ids are whole numbers (``true`` is not comment #1, ``7.0`` is not
    user 7), annotator ids are text where the tool writes text, times are instants
    (``10:00+01:00`` is before ``09:30Z``) and Unix times are finite dates. What is
    not is refused in one line naming file and record; nothing is stored. A file
    whose text for a comment is not the comment's text now is refused too: the
    annotator's labels were given for other text."""
    ls = json.loads(CASES["label-studio"][0].read_text())
    rows = json.loads(CASES["label-studio-min"][0].read_text())
    records = json.loads(CASES["argilla"][0].read_text())
    lines = [json.loads(x) for x in CASES["prodigy"][0].read_text().splitlines()]
    files: dict[str, object] = {}

    def case(name: str, content: object, change) -> Path:
        copy = json.loads(json.dumps(content))
        change(copy)
        path = tmp_path / name
        if name.endswith(".jsonl"):
            path.write_text("".join(json.dumps(x) + "\n" for x in copy))
        else:
            path.write_text(json.dumps(copy))
        files[name] = path
        return path

    def first_two(tasks: list) -> None:  # user 7 on #4: spam at 09:30Z, insult at 09:00Z
        a, b = tasks[0]["annotations"]
        a["result"][0]["value"]["choices"] = ["spam"]
        a["updated_at"] = "2026-11-30T09:30:00Z"
        b["completed_by"], b["updated_at"] = 7, "2026-11-30T10:00:00+01:00"
        tasks[1]["annotations"] = []

    def later_line_earlier_time(answers: list) -> None:  # ana on #4: spam at 200, insult at 100.5
        answers[0] |= {"accept": ["spam"], "_timestamp": 200}
        answers[1] |= {"accept": ["insult"], "_timestamp": 100.5, "_annotator_id": "moderation-ana"}
        del answers[2:]

    tool = {"ls": "label-studio", "min": "label-studio", "arg": "argilla", "pro": "prodigy"}
    refusals = [
        (
            case("ls-true.json", ls, lambda t: t[0]["data"].update(modtool_id=True)),
            "record 1: modtool_id true is not a comment id",
        ),
        (
            case("min-true.json", rows, lambda r: r[0].update(modtool_id=True)),
            "record 1: modtool_id true is not a comment id",
        ),
        (
            case("arg-true.json", records, lambda r: r[0]["metadata"].update(modtool_id=True)),
            "record 1: modtool_id true is not a comment id",
        ),
        (
            case("pro-true.jsonl", lines, lambda a: a[0]["meta"].update(modtool_id=True)),
            "record 1: modtool_id true is not a comment id",
        ),
        (
            case("ls-float.json", ls, lambda t: t[0]["annotations"][0].update(completed_by=7.0)),
            "record 1: annotator 7.0 is not a Label Studio user id",
        ),
        (
            case("ls-when.json", ls, lambda t: t[1]["annotations"][0].update(updated_at="soon")),
            'record 2: updated_at "soon" is not a date and time',
        ),
        (
            case("pro-huge.jsonl", lines, lambda a: a[1].update(_timestamp=10**400)),
            "record 2: _timestamp a 401-digit number is not a time",
        ),
        (
            case("pro-user.jsonl", lines, lambda a: a[0].update(_annotator_id=7)),
            "record 1: _annotator_id 7 is not text",
        ),
        (case("min-nan.json", rows, lambda r: r[1].update(annotator=float("nan"))), "NaN"),
        (case("pro-nan.jsonl", lines, lambda a: a[1].update(_timestamp=float("nan"))), "NaN"),
        (case("min-inf.json", rows, lambda r: r[1].update(annotator=float("inf"))), "Infinity"),
        # the comment's text changed since the export: the labels were for the old text
        (
            case("pro-text.jsonl", lines, lambda a: a[1].update(text="Edited since.")),
            "record 2: comment #4's text here is not the text in the file",
        ),
        (
            case("arg-text.json", records, lambda r: r[1]["fields"].update(text="Edited.")),
            "record 2: comment #10's text here is not the text in the file",
        ),
    ]
    latest_ls = case("ls-latest.json", ls, first_two)
    latest_pro = case("pro-latest.jsonl", lines, later_line_earlier_time)

    def command(path: Path) -> tuple[object, ...]:
        return (
            "import-labels",
            path,
            "--from",
            tool[path.name.partition("-")[0]],
            "--policy",
            POLICY,
        )

    runs = run_batch(
        [command(path) for path, _ in refusals] + [command(latest_ls), command(latest_pro)],
        db=db_path,
        cwd=tmp_path,
    )
    for (path, needle), run in zip(refusals, runs, strict=False):
        one_error_line(run, str(path), needle)
    for run in runs[-2:]:
        assert run.returncode == 0, run.stderr
    assert states(db_path) == {
        (4, "label-studio:7"): ReviewState(frozenset({"spam"}), "labeled"),
        (4, "prodigy:moderation-ana"): ReviewState(frozenset({"spam"}), "labeled"),
    }


def test_annotations_never_import_export() -> None:
    """Issue 17.16: ``export/runner.py`` calls the tools' writers, so
    ``modtool/annotations`` must not import ``modtool.export`` (not even for types):
    the types both use live in ``modtool.models``."""
    import ast

    package = Path(__file__).resolve().parent.parent / "modtool" / "annotations"
    found = []
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found += [(module.name, n) for n in names if n.startswith("modtool.export")]
    assert found == []


def test_bom_deep_nesting_and_long_numbers(
    sample_store: Store, db_path: Path, tmp_path: Path
) -> None:
    """Issues 16.12 and 16.4: a UTF-8 byte-order mark is accepted, as the importers
    accept it; JSON nested 300,000 or 1,000,000 deep and an integer of 5,000 digits
    are one line each (not RecursionError / ValueError), and nothing is stored."""
    commands = []
    for tool, (path, _, _) in (
        ("label-studio", CASES["label-studio"]),
        ("argilla", CASES["argilla"]),
        ("prodigy", CASES["prodigy"]),
    ):
        with_bom = tmp_path / f"bom-{path.name}"
        with_bom.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        commands.append(("import-labels", with_bom, "--from", tool, "--policy", POLICY))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 300_000 + "]" * 300_000)
    deeper = tmp_path / "deeper.jsonl"
    deeper.write_text(
        CASES["prodigy"][0].read_text() + '{"a": ' * 1_000_000 + "1" + "}" * 1_000_000
    )
    digits = tmp_path / "digits.json"
    digits.write_text(
        CASES["label-studio"][0]
        .read_text()
        .replace('"modtool_id": 4', '"modtool_id": ' + "9" * 5000)
    )
    refusals = [
        (
            ("import-labels", deep, "--from", "label-studio"),
            f"{deep}: line 1 column 100001: JSON nested more than 100,000 levels deep",
        ),
        (
            ("import-labels", deeper, "--from", "prodigy"),
            f"{deeper}: line 5 column 600001: JSON nested more than 100,000",
        ),
        (("import-labels", digits, "--from", "label-studio"), f"{digits}: line "),
    ]
    runs = run_batch(
        [*((*args, "--policy", POLICY) for args, _ in refusals), *commands],
        db=db_path,
        cwd=tmp_path,
    )
    for (_, needle), run in zip(refusals, runs, strict=False):
        one_error_line(run, needle)
    one_error_line(runs[2], "an integer of 5,000 digits (more than 4,300)")
    for run in runs[3:]:
        assert run.returncode == 0, run.stderr
        assert "3 verdict(s) by 2 annotator(s)" in run.stdout and "3 changed" in run.stdout


def project_model_version(tasks: list[dict]) -> str | None:
    """What Label Studio sets the project's model version to on importing ``tasks``
    into a project that has none (label_studio/tasks/serializers.py,
    ``TaskSerializerBulk.add_predictions``: the model version of the last prediction
    of the last task that has one); its labelling queue then shows only the
    predictions of that version (``Task.get_predictions_for_prelabeling``)."""
    last = None
    for task in tasks:
        for prediction in task.get("predictions", []):
            last = prediction.get("model_version", "undefined")
    return last


def test_label_studio_predictions_come_from_one_source(
    sample_store: Store, db_path: Path, tmp_path: Path
) -> None:
    """Issue 17.14: the predictions were every rule's suggestion and every moderator's
    verdict, so Label Studio made the last one's version (``modtool:bob``) the
    project's and annotators saw only bob's verdicts. Now they come from one source
    with one model version: the policy's suggestions (default) or ``--prediction
    MODERATOR``; every moderator's verdicts stay in the task data."""
    from modtool.policy import load_policy
    from modtool.policy.suggest import register, suggest

    label_sample(sample_store, second_policy=False)
    policy = load_policy(POLICY)
    register(sample_store, policy)
    suggest(sample_store, policy)
    export = ("export", "--format", "label-studio", "--policy", POLICY, "-o")
    runs = run_batch(
        [
            (*export, "policy.json"),
            (*export, "alice.json", "--prediction", "alice"),
            (*export, "alice-pseudo.json", "--prediction", "alice", "--pseudonymize"),
            (*export, "carol.json", "--prediction", "carol"),
            ("export", "--format", "jsonl", "-o", "x.jsonl", "--prediction", "alice"),
        ],
        db=db_path,
        cwd=tmp_path,
    )
    for run in runs[:3]:
        assert run.returncode == 0, run.stderr
    one_error_line(runs[3], "--prediction carol: no verdicts by this moderator", "alice, bob")
    one_error_line(runs[4], "--prediction chooses Label Studio's predictions")
    assert not (tmp_path / "carol.json").exists() and not (tmp_path / "x.jsonl").exists()
    by_policy = json.loads((tmp_path / "policy.json").read_text())
    versions = {p["model_version"] for t in by_policy for p in t["predictions"]}
    assert versions == {f"policy:{POLICY}"}
    assert project_model_version(by_policy) == f"policy:{POLICY}"
    # the rules that fire on the sample (word lists: score 1.0), one prediction per task
    assert {
        t["data"]["modtool_id"]: (p["result"][0]["value"]["choices"], p["score"])
        for t in by_policy
        for p in t["predictions"]
    } == {
        4: (["insult", "profanity"], 1.0),
        9: (["insult"], 1.0),
        13: (["identity_attack"], 1.0),
        16: (["insult"], 1.0),
        27: (["insult"], 1.0),
    }
    assert json.loads(by_policy[3]["data"]["modtool_verdicts"]) == {
        "alice": ["insult"],
        "bob": ["insult"],
    }
    alice = json.loads((tmp_path / "alice.json").read_text())
    shown = {
        t["data"]["modtool_id"]: p["result"][0]["value"]["choices"]
        for t in alice
        for p in t["predictions"]
    }
    # alice's verdicts in labeled_sample: approved 1 and 8, insult on 4, 9 and 17
    assert shown == {1: ["approve"], 4: ["insult"], 8: ["approve"], 9: ["insult"], 17: ["insult"]}
    assert project_model_version(alice) == "modtool:alice"
    pseudo = json.loads((tmp_path / "alice-pseudo.json").read_text())
    version = project_model_version(pseudo)
    assert version is not None and version.startswith("modtool:moderator-")
    assert "alice" not in (tmp_path / "alice-pseudo.json").read_text()
    assert sum(len(t["predictions"]) for t in pseudo) == 5
