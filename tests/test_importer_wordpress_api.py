"""The ``wordpress_api`` format: WordPress REST answers (comment pages and the post) read
into records and stored. Fixtures: WordPress 6.1's own answers, recorded from
Debian's package (tests/fixtures/fetch/wordpress, see its README)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formats_json import Node
from modtool.errors import ParseError
from modtool.importers import wordpress_api
from modtool.importers.records import ThreadRecord
from tests.api_formats import (
    import_into,
    iso,
    link_files,
    reimport_is_idempotent,
    stored_parents,
    stored_tree,
    write_json,
)
from tests.json_formats import by_id, no_warnings, shape, trees, words

WP = Path(__file__).parent / "fixtures" / "fetch" / "wordpress"


def body_of(name: str) -> object:
    return json.loads(json.loads((WP / f"{name}.json").read_text())["body"])


def answers(tmp_path: Path, *names: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = [
        write_json(tmp_path, f"{n:02d}-{name}.json", body_of(name)) for n, name in enumerate(names)
    ]
    return link_files(tmp_path / "document", files)


def read(path: Path) -> list:
    return list(wordpress_api.read(path, no_warnings))


def test_real_anonymous_answers_the_post_and_two_pages(tmp_path: Path) -> None:
    document = answers(tmp_path, "post", "comments_page_1", "comments_page_2")
    records = read(document)
    thread = records[0]
    assert isinstance(thread, ThreadRecord)
    assert (thread.platform, thread.external_id) == ("wordpress", "4")
    assert thread.title == "Fetch & “quotes” — a post"  # rendered: WordPress's texturize
    assert thread.article == "First line.\n\nSecond — paragraph."
    assert thread.created_at == "2026-11-20T09:00:00Z"
    assert thread.meta == {"post_type": "post", "status": "publish"}
    found = by_id(records)
    assert {key: (r.parent_external_id, r.author, r.status) for key, r in found.items()} == {
        "2": (None, "Ann", "visible"),
        "3": ("2", "Bob", "visible"),
        "6": (None, "Eve & Co", "visible"),
    }
    assert found["2"].body == "Top comment & “quoted” — dash.\nSecond line."
    assert found["6"].body == "Bold words and a [link](http://example.invalid)"
    assert found["2"].created_at == "2026-11-20T09:10:00Z"
    db = tmp_path / "m.db"
    (result,) = import_into(db, document).threads
    assert (result.total, result.orphans, result.missing) == (3, 0, 0)
    reimport_is_idempotent(db, document)


def test_real_edit_context_answers_every_status_and_the_stored_text(tmp_path: Path) -> None:
    records = read(answers(tmp_path, "post_edit", "comments_edit_any"))
    assert records[0].title == 'Fetch & "quotes" -- a post'
    assert records[0].article == "First line.\n\nSecond -- paragraph."
    found = by_id(records)
    assert {key: r.status for key, r in found.items()} == {
        "2": "visible",
        "3": "visible",
        "4": "pending",
        "5": "spam",
        "6": "visible",
    }
    assert found["2"].body == 'Top comment & "quoted" -- dash.\nSecond line.'
    assert found["5"].parent_external_id == "3"


def test_contact_fields_are_never_read(tmp_path: Path) -> None:
    page = body_of("comments_page_1")
    for comment in page:
        comment.update(
            author_email="ann@example.invalid",
            author_ip="203.0.113.9",
            author_user_agent="Agent/1",
            author_avatar_urls={"24": "https://gravatar.invalid/avatar/feedface"},
        )
    document = link_files(tmp_path / "document", [write_json(tmp_path, "page.json", page)])
    db = tmp_path / "m.db"
    import_into(db, document)
    data = db.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("m.db-*"))
    for secret in (b"ann@example.invalid", b"203.0.113.9", b"Agent/1", b"feedface"):
        assert secret not in data


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {
                "code": "rest_post_invalid_id",
                "message": "Invalid post ID.",
                "data": {"status": 404},
            },
            "a WordPress error answer (rest_post_invalid_id: Invalid post ID.)",
        ),
        ({"hello": 1}, "expected WordPress REST API answers"),
        ([1, 2], "expected a comment object"),
    ],
)
def test_wrong_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    path = write_json(tmp_path, "bad.json", value)
    with pytest.raises(ParseError) as caught:
        read(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_comment_without_an_id_is_a_problem_of_its_post(tmp_path: Path) -> None:
    page = body_of("comments_page_1")
    del page[0]["id"]
    db = tmp_path / "m.db"
    from modtool.ingest import import_path
    from modtool.store import open_store

    store = open_store(db)
    report = import_path(store, write_json(tmp_path, "page.json", page), "wordpress_api")
    store.close()
    assert report.failed and "a comment without an id" in report.failures[0].problems[0]


def test_sniff(tmp_path: Path) -> None:
    for name in ("comments_page_1", "comments_edit_any"):
        path = write_json(tmp_path, f"{name}.json", body_of(name))
        assert wordpress_api.sniff(path.read_bytes(), path)
    folder = answers(tmp_path / "f", "post", "comments_page_1")
    assert wordpress_api.sniff(b"", folder)
    other = Path(__file__).parent / "fixtures" / "lemmy" / "post-7.json"
    assert not wordpress_api.sniff(other.read_bytes(), other)


def autop(body: str) -> str:
    """A body as WordPress renders it (``wpautop``): paragraphs, line breaks as ``<br />``."""
    return "".join(
        "<p>" + "<br />\n".join(escape(line) for line in part.split("\n")) + "</p>\n"
        for part in body.split("\n\n")
    )


# What a commenter can write that reads back the same from WordPress's HTML: words
# single-spaced (HTML collapses runs of spaces; a browser shows one), lines
# (``<br />``) and paragraphs (``<p>``).
wp_bodies = st.lists(
    st.lists(st.lists(words, min_size=1, max_size=5).map(" ".join), min_size=1, max_size=3).map(
        "\n".join
    ),
    min_size=1,
    max_size=3,
).map("\n\n".join)

STATUS = {"visible": "approved", "deleted": "trash", "removed": "spam"}
STORED = {"visible": "visible", "deleted": "deleted", "removed": "spam"}


def render(nodes: list[Node], split: int) -> tuple[dict, list[list[dict]]]:
    post = {
        "id": 9,
        "title": {"rendered": "Post"},
        "content": {"rendered": "<p>Text</p>"},
        "link": "https://blog.example/?p=9",
        "date_gmt": "2026-01-01T00:00:00",
        "type": "post",
        "status": "publish",
    }
    comments = [
        {
            "id": int(node.id),
            "post": 9,
            "parent": int(node.parent) if node.parent else 0,
            "author_name": node.author,
            "author_url": "",
            "date_gmt": iso(node.created)[:19],
            "content": {"rendered": autop(node.body)},
            "status": STATUS[node.status],
            "type": "comment",
        }
        for node in nodes
    ]
    return post, [comments[:split], comments[split:]]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, body=wp_bodies, numeric_ids=True), split=st.integers(0, 12))
def test_random_threads_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node], split: int
) -> None:
    folder = tmp_path_factory.mktemp("wp")
    post, pages = render(nodes, split)
    files = [write_json(folder, "0-post.json", post)]
    files += [write_json(folder, f"{n + 1}-page.json", page) for n, page in enumerate(pages)]
    document = link_files(folder / "document", files)
    records = read(document)
    parents, _ = shape(records)
    assert parents == {n.id: (n.parent, STORED[n.status]) for n in nodes}
    found = by_id(records)
    for node in nodes:
        assert (found[node.id].author, found[node.id].body) == (node.author.strip(), node.body)
    if nodes:
        assert stored_parents(folder, document) == {
            n.id: (n.parent, STORED[n.status]) for n in nodes
        }
        assert len(stored_tree(folder / "m.db")) == len(nodes)
