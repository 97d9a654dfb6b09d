"""HTML comment bodies to text: layout, links, entities, dropped elements, hostile markup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modtool.importers.html import html_to_text


@pytest.mark.parametrize(
    "markup, text",
    [
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>a</p>\n\n<p>b</p>", "a\n\nb"),
        ("x<p>para</p>y", "x\n\npara\n\ny"),
        ("<h1>Title</h1><p>body</p>", "Title\n\nbody"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("<p>\n  spaced   out\n</p>", "spaced out"),
        ("<i>a</i>\n<b>b</b>", "a b"),
        ("<hr><p>after a rule</p>", "after a rule"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a  b\nc  d"),
    ],
)
def test_paragraphs_and_blocks(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup, text",
    [
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<p>end with a break<br></p><p>next</p>", "end with a break\n\nnext"),
    ],
)
def test_line_breaks(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_newlines_are_breaks_for_wordpress_bodies() -> None:
    assert (
        html_to_text("line1\nline2\n\npara2", newlines_are_breaks=True) == "line1\nline2\n\npara2"
    )
    assert html_to_text("l1\r\nl2 <b>x</b>\r\n\r\np2", newlines_are_breaks=True) == "l1\nl2 x\n\np2"
    assert html_to_text("<p>line1\nline2</p>", newlines_are_breaks=True) == "line1\nline2"
    # In real HTML a newline is only a space.
    assert html_to_text("line1\nline2\n\npara2") == "line1 line2 para2"
    assert html_to_text("line1\nline2 <b>b</b>") == "line1 line2 b"


@pytest.mark.parametrize(
    "markup, text",
    [
        ('<p>see <a href="http://x.com/a">this</a> now</p>', "see [this](http://x.com/a) now"),
        ('<a href="http://x.com">http://x.com</a>', "http://x.com"),
        ('<a href="https://e.com">https://e.com/</a>', "https://e.com/"),
        ('<a href="https://e.com/long/path" rel="nofollow">e.com/long/path</a>', "e.com/long/path"),
        ('<a href="http://u"></a>', "http://u"),
        ('<a href="">empty target</a> <a>no target</a>', "empty target no target"),
        ('<a href="javascript:alert(1)">x</a>', "[x](javascript:alert(1))"),
        ('<a href="/relative">rel</a>', "[rel](/relative)"),
        ('<a href="http://x.com/?a=1&amp;b=2">q</a>', "[q](http://x.com/?a=1&b=2)"),
    ],
)
def test_links_keep_their_target(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup, text",
    [
        ("It&#x27;s a&#x2F;b &amp; c &gt; d &lt; e", "It's a/b & c > d < e"),
        ("<p>It&#x27;s a&#x2F;b &amp; c &gt; d</p>", "It's a/b & c > d"),
        ("&quot;quoted&quot; &#8220;curly&#8221; &eacute;", '"quoted" \u201ccurly\u201d é'),
        ("&amp;amp; stays one level", "&amp; stays one level"),
        ("a &nbsp; b", "a \xa0 b"),
    ],
)
def test_entities_are_decoded_once(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup, text",
    [
        ("<script>alert(1)</script>hi<style>p{color:red}</style>", "hi"),
        ("<p>a<script type='text/javascript'>var x = '<p>no</p>';</script>b</p>", "ab"),
        ("x<!-- a comment -->y", "xy"),
        ("<template><p>hidden</p></template>shown", "shown"),
        ("<noscript>enable js</noscript><iframe src='x'>frame</iframe>ok", "ok"),
        ('<img src="x.png" alt="a picture"> and <img src="y.png">', "a picture and"),
    ],
)
def test_scripts_styles_and_comments_are_dropped(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup, text",
    [
        ("<ul><li>a</li><li>b</li></ul>", "* a\n* b"),
        ("<ol><li>x</li><li>y</li></ol>", "1. x\n2. y"),
        ("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "* one\n* two"),
        (
            "<ul><li>a</li><li>b<ul><li>c</li><li>d</li></ul></li><li>e</li></ul>",
            "* a\n* b\n  * c\n  * d\n* e",
        ),
        ("<ol><li>a<ol><li>b<ul><li>c</li></ul></li></ol></li></ol>", "1. a\n  1. b\n    * c"),
        ("<p>before</p><ul><li>item</li></ul><p>after</p>", "before\n\n* item\n\nafter"),
    ],
)
def test_lists(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup, text",
    [
        ("<blockquote>quoted</blockquote>after", "> quoted\n\nafter"),
        ("<blockquote><p>q1</p><p>q2</p></blockquote><p>reply</p>", "> q1\n>\n> q2\n\nreply"),
        (
            "<blockquote>outer<blockquote>inner</blockquote>back</blockquote>end",
            "> outer\n>\n> > inner\n>\n> back\n\nend",
        ),
        ("<pre>  code\n    indented</pre>", "  code\n    indented"),
        ("<p>text</p><pre>a  b</pre>", "text\n\na  b"),
    ],
)
def test_quotes_and_preformatted_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup, text",
    [
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("</p></div>", ""),
        ("<!-- only a comment -->", ""),
        ("", ""),
        ("   ", ""),
        ("<<<>>>", "<<<>>>"),
        ("a < b and c > d", "a < b and c > d"),
        ("<p>a<p>b<div>c</p></div>", "a\n\nb\n\nc"),
        ("<b><i>crossed</b></i> tags", "crossed tags"),
        ("<html><body><p>a whole document</p></body></html>", "a whole document"),
        ('<p title="x>y">attr with ></p>', "attr with >"),
    ],
)
def test_malformed_html_is_recovered(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup, text",
    [
        (
            "[bold]x[/bold] [link=http://e.com]y[/link]",
            "[bold]x[/bold] [link=http://e.com]y[/link]",
        ),
        ("<p>[@click=app.quit]press[/]</p>", "[@click=app.quit]press[/]"),
        ("\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m"),
        ("<p>\x1b[31mred\x1b]52;c;Zm9v\x07</p>", "\x1b[31mred\x1b]52;c;Zm9v\x07"),
        ("<p>bidi \u202eevil\u202c zero\u200bwidth</p>", "bidi \u202eevil\u202c zero\u200bwidth"),
        ("<p>nul\x00byte</p>", "nul\x00byte"),
    ],
)
def test_hostile_text_survives_as_text(markup: str, text: str) -> None:
    """Markup-like text and control characters are kept: the terminal layer neutralises them."""
    assert html_to_text(markup) == text


def test_plain_text_fast_path_matches_the_parser() -> None:
    for text in ("plain words", "caf\u00e9 &amp; cr\u00e8me", "two  spaces", "tab\there", "a\n b"):
        assert html_to_text(text) == html_to_text(f"<p>{text}</p>")
    for text in ("l1\n  l2  x\n\n\n\np2 ", "a\tb\r\nc", "\n\nx\n"):
        assert html_to_text(text, newlines_are_breaks=True) == html_to_text(
            f"<p>{text}</p>", newlines_are_breaks=True
        )


WORDS = st.lists(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zs", "Zl", "Zp")),
        min_size=1,
        max_size=10,
    ),
    min_size=1,
    max_size=12,
)


@given(paragraphs=st.lists(WORDS, min_size=1, max_size=4))
def test_escaped_text_in_paragraphs_reads_back(paragraphs: list[list[str]]) -> None:
    import html

    markup = "".join(f"<p>{html.escape(' '.join(words))}</p>" for words in paragraphs)
    assert html_to_text(markup) == "\n\n".join(" ".join(words) for words in paragraphs)


@pytest.mark.parametrize(
    "markup",
    [
        "<p>one</p><p>two</p>",
        "<p> lead  and trail \xa0</p>\n<p></p><p>\tx\ny </p>",
        "<p>a</p> tail text<p>b</p>",
        "lead<p>a</p>",
        "<p>a<b>b</b></p>",
        "<div>a</div><p>b</p>",
        "<p>\u3000ideographic space\u3000</p>",
        "<p>x</p><p>y</p><p></p><p>  </p>",
        "<p>a &amp; b</p>",
        "<p class='c'>a</p><p>b</p>",
        "<p>a</p><p>b",
        "<p>a\r\nb\x1b[1m</p><p>\U0001f600</p>",
    ],
)
def test_paragraph_fast_paths_are_the_walk(markup: str) -> None:
    from lxml import etree

    from modtool.importers import html as module

    root = etree.fromstring(markup, module._PARSER)
    out: list = []
    module._Walker(out, False).walk(root, "")
    walked = module._layout(out)
    assert html_to_text(markup) == walked
    assert module._plain_paragraphs(root, False) in (None, walked)
    assert module._bare_paragraphs(markup, False) in (None, walked)
