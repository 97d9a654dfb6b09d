"""The plain-text layout parser: the sample thread, layout variants, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modtool.errors import InputError, ParseError
from modtool.importers import open_document
from tests.thread_docs import Node, flatten, render

# Read off the document by eye: (numbering path, author), in document order.
SAMPLE_TREE = [
    ("1", "Vish"),
    ("2", "Séamus Ó Néill"),
    ("3", "Joe"),
    ("4", "Ilya"),
    ("5", "AriusArmenian"),
    ("5.1", "CHUCKMAN"),
    ("6", "Mary E"),
    ("6.1", "bufallobiff"),
    ("7", "Nick Rhynes"),
    ("7.1", "CHUCKMAN"),
    ("7.1.1", "Canosin"),
    ("7.1.2", "DarkEyes"),
    ("7.1.3", "DarkEyes"),
    ("7.1.3.1", "Joe"),
    ("7.1.4", "Nick Rhynes"),
    ("7.1.5", "James Willy"),
    ("7.2", "JustPassingThrough"),
    ("7.2.1", "Ilya"),
    ("7.3", "DarkEyes"),
    ("7.4", "Ilya"),
    ("7.4.1", "Joe"),
    ("7.4.2", "Nick Rhynes"),
    ("7.4.2.1", "Ilya"),
    ("7.4.2.1.1", "Joe"),
    ("7.4.2.1.1.1", "Ilya"),
    ("7.4.2.1.1.2", "Joe"),
    ("8", "CHUCKMAN"),
]


def parse(path: Path):
    fmt, document = open_document(path)
    return fmt, document.thread, list(document.comments)


def write(tmp_path: Path, text: str, name: str = "thread.txt", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_sample_thread_tree(sample_path: Path) -> None:
    fmt, thread, comments = parse(sample_path)
    assert fmt == "text"
    assert thread.title.startswith("US-South Korea Talks on Trump’s $5bn Troop Payment Demand")
    assert thread.article_source == "Reuters"
    assert "Jeong declined to go into details" in thread.article
    assert [(c.path, c.author) for c in comments] == SAMPLE_TREE
    assert [c.position for c in comments] == list(range(27))
    for comment in comments:
        assert comment.depth == comment.path.count(".")
        expected_parent = comment.path.rpartition(".")[0] or None
        assert comment.parent_path == expected_parent
    assert max(c.depth for c in comments) == 5
    assert thread.warnings == []


def test_sample_thread_bodies(sample_path: Path) -> None:
    _, _, comments = parse(sample_path)
    by_path = {c.path: c for c in comments}
    assert by_path["4"].body == "$5bn gets you S400s, and you are safe. Dumb, high IQ, f*cks!"
    # Paragraphs kept with one blank line between them, indentation removed.
    assert by_path["7.2"].body.split("\n") == [
        "you really live up to your avatar.",
        "a real drainage ditch.",
        "",
        "A rhyne, rhine/rhyne, or reen is drainage ditch, or canal, used to turn areas of "
        "wetland at around sea level into useful pasture.",
    ]
    assert by_path["7.4.2.1.1.2"].body.startswith("Yes and no. Reduction in imperial forces")
    assert by_path["8"].body.endswith("his efforts in Iran or Syria or…you name it.")
    assert "Leave A Reply" not in by_path["8"].body
    assert by_path["7.2.1"].body.endswith("thanks! 🙂")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_crlf_and_bom_parse_the_same(
    tmp_path: Path, sample_path: Path, newline: str, bom: bool
) -> None:
    original = sample_path.read_text(encoding="utf-8")
    variant = ("\ufeff" if bom else "") + original.replace("\n", newline)
    path = write(tmp_path, variant)
    _, thread, comments = parse(path)
    _, expected_thread, expected = parse(sample_path)
    assert thread.title == expected_thread.title
    assert [(c.path, c.author, c.body) for c in comments] == [
        (c.path, c.author, c.body) for c in expected
    ]


def test_names_numbering_lists_and_emoji(tmp_path: Path) -> None:
    replies = [Node(f"Reply {n}", f"reply number {n}") for n in range(1, 13)]
    tree = [
        Node(
            "Dr. J. R. R. O'Brien-Smith",
            "1. The first point\n2. The second point\n\nAnd more",
            replies,
        ),
        Node("Алёна Ковальчук", "Привет 👋🏽 emoji 🇰🇷 and CJK 你好", [Node("李小龍", "回复")]),
        Node("محمد", "نص عربي"),
    ]
    path = write(tmp_path, render("Title", "Article body.", tree, blank_lines_after_header=3))
    _, thread, comments = parse(path)
    assert [(c.path, c.parent_path, c.depth, c.author, c.body) for c in comments] == flatten(tree)
    assert [c.path for c in comments if c.parent_path == "1"][-1] == "1.12"  # two-digit numbering
    assert thread.warnings == []


def test_no_comments_is_an_article(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Just an article\n\nWith a body.\n1. A list item the minister says\nthat is prose.\n",
    )
    fmt, thread, comments = parse(path)
    assert fmt == "text"
    assert thread.title == "Just an article"
    assert "1. A list item the minister says" in thread.article
    assert comments == []


def test_top_level_at_column_zero(tmp_path: Path) -> None:
    tree = [
        Node("Ann", "top", [Node("Bob", "reply", [Node("Cy", "deeper")])]),
        Node("Dee", "second"),
    ]
    path = write(tmp_path, render("T", "A", tree, base_indent=0))
    _, _, comments = parse(path)
    assert [(c.path, c.parent_path, c.depth, c.author, c.body) for c in comments] == flatten(tree)


def test_thread_ends_at_end_of_file_without_marker(tmp_path: Path) -> None:
    tree = [Node("Ann", "last words")]
    path = write(tmp_path, render("T", "A", tree, end_marker=False))
    _, _, comments = parse(path)
    assert [c.body for c in comments] == ["last words"]


def test_numbering_gap_is_a_warning_and_kept_in_order(tmp_path: Path) -> None:
    text = "T\n\nA\n\n  1. Ann says\n\n    one\n\n  3. Bob says\n\n    two\n"
    path = write(tmp_path, text)
    _, thread, comments = parse(path)
    assert [(c.path, c.author) for c in comments] == [("1", "Ann"), ("2", "Bob")]
    assert len(thread.warnings) == 1
    assert "line 9" in thread.warnings[0] and "numbered 3" in thread.warnings[0]


def test_outdented_body_text_is_a_warning(tmp_path: Path) -> None:
    text = "T\n\nA\n\n  1. Ann says\n\n    one\n  stray text\n"
    path = write(tmp_path, text)
    _, thread, comments = parse(path)
    # Best effort: the text stays in the comment, only the common indent is removed.
    assert comments[0].body == "  one\nstray text"
    assert "line 8" in thread.warnings[0] and "indented less" in thread.warnings[0]


@pytest.mark.parametrize(
    ("text", "place", "problem"),
    [
        (
            "T\n\nA\n\n  1. Ann says\n\n    x\n\n     1. Bob says\n\n       y\n",
            "line 9",
            "levels are 2 spaces",
        ),
        (
            "T\n\nA\n\n  1. Ann says\n\n    x\n\n      1. Bob says\n\n        y\n",
            "line 9",
            "one level deeper",
        ),
        (
            "T\n\nA\n\n    1. Ann says\n\n      x\n\n  2. Bob says\n\n    y\n",
            "line 9",
            "left of the top level",
        ),
    ],
    ids=["odd-indent", "jump-two-levels", "left-of-top-level"],
)
def test_bad_indentation_is_a_hard_error(
    tmp_path: Path, text: str, place: str, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as error:
        parse(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {place}: ")
    assert problem in message
    assert "\n" not in message


def test_invalid_utf8_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    # "Title\n\nArticle\n\n  1. Jos" is 24 bytes: the é is at (0-based) offset 24.
    path.write_bytes("Title\n\nArticle\n\n  1. José says\n".encode("latin-1"))
    with pytest.raises(ParseError) as error:
        parse(path)
    assert str(error.value) == (
        f"{path}: line 5: not valid UTF-8 (byte offset 24); re-save the file as UTF-8"
    )


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "blank"])
def test_unusable_files(tmp_path: Path, case: str) -> None:
    path = tmp_path / "doc.txt"
    if case == "directory":
        path.mkdir()
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "blank":
        path.write_bytes(b"\n\n   \n")
    with pytest.raises(InputError) as error:
        parse(path)
    assert str(error.value).startswith(str(path))


# -- property: any tree rendered in the layout parses back to the same tree ---------

names = (
    st.text(
        alphabet=st.characters(
            categories=["L", "N", "Zs"],
            include_characters=".'-",
            exclude_characters="\u3000\u2028\u2029",
        ),
        min_size=1,
        max_size=25,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: bool(s) and not s.endswith(" says") and s != "says")
)
words = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "S"], exclude_characters="\u2028\u2029\x85"),
    min_size=1,
    max_size=12,
)
lines = (
    st.lists(words, min_size=1, max_size=8)
    .map(" ".join)
    .filter(lambda s: not s.rstrip().endswith("says"))
)
paragraphs = st.lists(
    st.lists(lines, min_size=1, max_size=3).map("\n".join), min_size=1, max_size=3
)
bodies = paragraphs.map("\n\n".join)


def trees(max_depth: int = 4) -> st.SearchStrategy[list[Node]]:
    node = st.deferred(lambda: st.builds(Node, names, bodies, st.just([])))
    for _ in range(max_depth):
        node = st.builds(Node, names, bodies, st.lists(node, max_size=3))
    return st.lists(node, min_size=0, max_size=4)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    tree=trees(),
    crlf=st.booleans(),
    bom=st.booleans(),
    blanks=st.integers(1, 3),
    base=st.sampled_from([0, 2, 4]),
)
def test_random_trees_round_trip(
    tmp_path: Path, tree: list[Node], crlf: bool, bom: bool, blanks: int, base: int
) -> None:
    text = render(
        "Title",
        "Article",
        tree,
        base_indent=base,
        blank_lines_after_header=blanks,
        newline="\r\n" if crlf else "\n",
        bom=bom,
    )
    path = write(tmp_path, text, name="random.txt")
    _, thread, comments = parse(path)
    assert [(c.path, c.parent_path, c.depth, c.author, c.body) for c in comments] == flatten(tree)
    assert thread.warnings == []
