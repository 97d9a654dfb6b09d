"""Issue 16.1: no text of an HTML body is lost at any depth, and a body whose markup was
unusual (nested past libxml2's limit, text hidden by style) carries a visible flag."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from modtool.importers.html import html_to_text
from modtool.importers.records import MARKUP_WARNINGS
from tests.tui_support import SIZE, make_app
from tests.xml_support import stored_comments

HIDDEN = "hidden insult idiot"


def converted(markup: str, **options: bool) -> tuple[str, list[str]]:
    MARKUP_WARNINGS.clear()
    text = html_to_text(markup, **options)
    found = list(MARKUP_WARNINGS)
    MARKUP_WARNINGS.clear()
    return text, found


def nested(tag: str, depth: int) -> str:
    return f"Visible start. {f'<{tag}>' * depth}{HIDDEN}{f'</{tag}>' * depth} visible end"


@pytest.mark.parametrize("tag", ["b", "div", "span", "i", "blockquote"])
@pytest.mark.parametrize("depth", [254, 255, 300, 2_100])
def test_no_text_is_lost_at_any_depth(tag: str, depth: int) -> None:
    text, warnings = converted(nested(tag, depth))
    if tag == "blockquote" and depth == 254:  # laid out as 254 quote levels ("> > > …")
        text = text.replace(">", "")
    assert " ".join(text.split()) == f"Visible start. {HIDDEN} visible end"
    # 254 levels are within libxml2's reach: laid out as usual, no flag.
    assert warnings == ([] if depth == 254 else [f"nested {depth:,} deep"])


def test_a_hundred_thousand_levels_keep_every_text_node_and_the_layout_marks() -> None:
    markup = (
        "<p>one &amp; two</p>"
        + "<div>" * 100_000
        + "deep <i>text</i><br>next line<img alt='A &lt; B' src=x><script>gone()</script>"
        + "</div>" * 100_000
        + "<p>after</p>"
    )
    text, warnings = converted(markup)
    assert text == "one & two\n\ndeep text\nnext lineA < B\n\nafter"
    assert warnings == ["nested 100,001 deep"]  # the <i> inside the 100,000th <div>


def test_wordpress_line_breaks_survive_the_deep_fallback() -> None:
    text, _ = converted(
        "<b>" * 300 + "line one\nline two\n\nnew paragraph" + "</b>" * 300, newlines_are_breaks=True
    )
    assert text == "line one\nline two\n\nnew paragraph"


@pytest.mark.parametrize(
    ("markup", "why"),
    [
        ('<p>ok <span style="display: none">x</span></p>', "display:none"),
        ("<p>ok <span style='visibility:hidden;color:red'>x</span></p>", "visibility:hidden"),
        ('<p>ok <span style="FONT-SIZE: 0px">x</span></p>', "font-size:0px"),
        ('<p>ok <font style="opacity:0">x</font></p>', "opacity:0"),
        ("<p>ok <b hidden>x</b></p>", "hidden"),
        ("<div>" * 300 + '<span style="display:none">x</span>' + "</div>" * 300, "display:none"),
    ],
)
def test_text_hidden_by_style_is_kept_and_flagged(markup: str, why: str) -> None:
    text, warnings = converted(markup)
    assert "x" in text.split()  # kept: the scorer and the moderator see it
    assert f"text hidden by style ({why})" in warnings


@pytest.mark.parametrize(
    "markup",
    [
        '<p>ok <span style="font-size:0.9em">x</span></p>',
        '<p>ok <span style="opacity: 0.5">x</span></p>',
        '<p>ok <span style="display:none"> </span> x</p>',  # hides nothing
        '<p>the word style, <a href="/hidden">hidden</a></p>',
    ],
)
def test_ordinary_styles_are_not_flagged(markup: str) -> None:
    assert converted(markup)[1] == []


# -- end to end: stored in meta, shown by `tree` and the moderator UI --------------------


def hn_item(depth: int) -> dict:
    comment = {
        "id": 2,
        "type": "comment",
        "author": "mallory",
        "parent_id": 1,
        "story_id": 1,
        "created_at_i": 1716917700,
        "text": nested("b", depth),
        "children": [],
    }
    plain = dict(comment, id=3, author="ann", text="<p>plain <i>reply</i></p>")
    return {
        "id": 1,
        "type": "story",
        "title": "Deep",
        "author": "op",
        "created_at_i": 1716917600,
        "children": [comment, plain],
    }


def wxr(body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Site</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Post</title><wp:post_id>10</wp:post_id><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[<p>Article</p>]]></content:encoded>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>mallory</wp:comment_author>
<wp:comment_content><![CDATA[{body}]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>
</wp:comment></item></channel></rss>
"""


def test_a_100k_deep_wordpress_comment_is_stored_whole_and_flagged(
    tmp_path: Path, db_path: Path, run_cli: Callable
) -> None:
    path = tmp_path / "site.xml"
    path.write_text(wxr(nested("div", 100_000)), encoding="utf-8")
    assert run_cli("import", path).returncode == 0
    stored = stored_comments(db_path)[("10", "1")]
    assert " ".join(stored["body"].split()) == f"Visible start. {HIDDEN} visible end"
    assert stored["meta"]["markup_warning"] == "nested 100,000 deep"
    shown = run_cli("tree", "1")
    assert shown.returncode == 0
    line = next(line for line in shown.stdout.splitlines() if "mallory" in line)
    assert "(⚠ markup: nested 100,000 deep)" in line


def test_a_flagged_hacker_news_comment_shows_in_tree_and_detail_pane(
    tmp_path: Path, db_path: Path, run_cli: Callable
) -> None:
    path = tmp_path / "item.json"
    path.write_text(json.dumps(hn_item(300)), encoding="utf-8")
    assert run_cli("import", path).returncode == 0
    comments = stored_comments(db_path)
    assert comments[("1", "2")]["meta"]["markup_warning"] == "nested 300 deep"
    assert "markup_warning" not in (comments[("1", "3")]["meta"] or {})
    lines = run_cli("tree", "1").stdout.splitlines()
    assert "⚠ markup: nested 300 deep" in next(line for line in lines if "mallory" in line)
    assert "⚠" not in next(line for line in lines if " ann " in line)


async def test_the_detail_pane_says_the_markup_was_unusual(tmp_path: Path, db_path: Path) -> None:
    from modtool.ingest import import_path
    from modtool.store import open_store

    path = tmp_path / "item.json"
    path.write_text(json.dumps(hn_item(300)), encoding="utf-8")
    with open_store(db_path) as store:
        import_path(store, path)
        ids = {c.external_id: c.id for c in store.comments.iter_thread(1)}
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        app.tree.select_comment(ids["2"])
        await pilot.pause()
        assert "⚠ unusual markup on the site: nested 300 deep" in app.detail.text.plain
        assert HIDDEN in app.detail.text.plain
        app.tree.select_comment(ids["3"])
        await pilot.pause()
        assert "unusual markup" not in app.detail.text.plain
