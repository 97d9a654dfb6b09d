"""Hostile XML: entity bombs, external entities, malformed input, bounded memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from modtool.errors import ParseError
from modtool.importers import xmlsafe

FIXTURES = Path(__file__).parent / "fixtures"
D = "{http://disqus.com}"


def write(tmp_path: Path, text: str, name: str = "doc.xml", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def texts(path: Path, tag: str = "message") -> list[str]:
    found = []
    for element in xmlsafe.iterparse(path, [tag, D + tag]):
        found.append(xmlsafe.text_of(element))
        xmlsafe.release(element)
    return found


def refusal(path: Path) -> str:
    with pytest.raises(ParseError) as caught:
        texts(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def laughs(levels: int) -> str:
    decls = ['<!ENTITY lol "lol">']
    for level in range(1, levels + 1):
        previous = "lol" if level == 1 else f"lol{level - 1}"
        decls.append(f'<!ENTITY lol{level} "{f"&{previous};" * 10}">')
    return "\n".join(decls)


def test_billion_laughs_is_refused_at_its_declaration(tmp_path: Path) -> None:
    path = FIXTURES / "wxr" / "billion-laughs.xml"
    message = refusal(path)
    assert message.startswith(f"{path}: line 3: ")
    assert "declares XML entities" in message


def test_entity_bomb_in_an_attribute_is_refused(tmp_path: Path) -> None:
    doc = f'<?xml version="1.0"?>\n<!DOCTYPE d [\n{laughs(9)}\n]>\n<d><message a="&lol9;">x</message></d>'
    message = refusal(write(tmp_path, doc))
    assert ": line 3: " in message and "declares XML entities" in message


def test_small_entity_that_would_not_trip_libxml2_is_still_refused(tmp_path: Path) -> None:
    # Too small for libxml2's amplification limit: refused by our own DTD check.
    doc = f'<?xml version="1.0"?>\n<!DOCTYPE d [{laughs(2)}]>\n<d><message>&lol2;</message></d>'
    message = refusal(write(tmp_path, doc))
    assert "declares XML entities" in message


def test_quadratic_blowup_is_refused(tmp_path: Path) -> None:
    doc = (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "' + "x" * 50_000 + '">]>\n'
        "<d><message>" + "&a;" * 50_000 + "</message></d>"
    )
    assert "declares XML entities" in refusal(write(tmp_path, doc))


@pytest.mark.parametrize(
    "doctype, body",
    [
        ('<!DOCTYPE d [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>', "<message>&xxe;</message>"),
        (
            '<!DOCTYPE d [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>',
            '<message a="&xxe;">x</message>',
        ),
        ('<!DOCTYPE d [ <!ENTITY % p SYSTEM "file:///etc/passwd"> %p; ]>', "<message>x</message>"),
        (
            '<!DOCTYPE d [ <!ENTITY xxe SYSTEM "http://127.0.0.1:9/x"> ]>',
            "<message>&xxe;</message>",
        ),
    ],
)
def test_external_entities_are_refused_and_never_read(
    tmp_path: Path, doctype: str, body: str
) -> None:
    path = write(tmp_path, f'<?xml version="1.0"?>\n{doctype}\n<d>{body}</d>')
    message = refusal(path)
    assert message.startswith(f"{path}: line 2: ")
    assert "root:" not in message


def test_external_entity_fixture(tmp_path: Path) -> None:
    path = FIXTURES / "wxr" / "external-entity.xml"
    assert refusal(path) == f"{path}: line 2: {xmlsafe.ENTITY_REFUSAL}"


def test_doctype_without_entities_is_read_and_its_dtd_not_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "file:///etc/passwd">\n<d><message>ok</message></d>',
    )
    assert texts(path) == ["ok"]


def test_malformed_xml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '<?xml version="1.0"?>\n<d>\n  <message>x</mesage>\n</d>\n')
    with pytest.raises(ParseError) as caught:
        texts(path)
    assert str(caught.value).startswith(f"{path}: line 3, column ")
    assert "not well-formed XML" in str(caught.value)


def test_undeclared_entity_is_a_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, '<?xml version="1.0"?>\n<d><message>a &nbsp; b</message></d>')
    with pytest.raises(ParseError, match=r"line 2, column \d+: .*'nbsp'"):
        texts(path)


def test_truncated_document(tmp_path: Path) -> None:
    path = write(tmp_path, '<?xml version="1.0"?>\n<d><message>one</message>\n<message>tw')
    with pytest.raises(ParseError, match=r": line \d+, column \d+: not well-formed XML"):
        texts(path)


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<d>\n<message>caf\xe9</message></d>')
    with pytest.raises(ParseError, match=r": line 3, column \d+: "):
        texts(path)


@pytest.mark.parametrize("encoding", ["utf-16", "iso-8859-1", "windows-1252"])
def test_declared_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    doc = f'<?xml version="1.0" encoding="{encoding}"?>\n<d><message>café à la €</message></d>'
    if encoding == "iso-8859-1":
        doc = doc.replace("€", "E")
    path = write(tmp_path, doc, encoding=encoding)
    assert texts(path) == ["café à la " + ("E" if encoding == "iso-8859-1" else "€")]


def test_cdata_split_the_wordpress_way_is_joined(tmp_path: Path) -> None:
    path = write(tmp_path, "<d><message><![CDATA[a ]]]]><![CDATA[> b]]></message></d>")
    assert texts(path) == ["a ]]> b"]


def test_released_elements_leave_the_tree(tmp_path: Path) -> None:
    """Memory stays flat: the root holds only what the parser read ahead (a chunk)."""
    path = tmp_path / "many.xml"
    with path.open("w") as out:
        out.write('<disqus xmlns="http://disqus.com">')
        for number in range(20_000):
            out.write(f"<category/><post><message>m{number}</message></post>")
        out.write("</disqus>")
    widest = 0
    count = 0
    for element in xmlsafe.iterparse(path, [D + "post"]):
        widest = max(widest, len(element.getparent()))
        count += 1
        xmlsafe.release(element)
    assert count == 20_000
    assert widest < 4_000  # of 40,000 elements; without release() all of them


def test_gzip_compressed_exports_are_read_and_sniffed(tmp_path: Path) -> None:
    import gzip

    from modtool.importers import disqus, wxr

    for name, module in (("disqus/export.xml", disqus), ("wxr/site-1.2.xml", wxr)):
        plain = FIXTURES / name
        packed = tmp_path / (plain.name + ".gz")
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        head = packed.read_bytes()[:65536]
        assert module.sniff(head, packed)
        assert list(module.read(packed, print)) == list(module.read(plain, print))


def test_damaged_gzip_is_one_parse_error(tmp_path: Path) -> None:
    import gzip

    packed = tmp_path / "export.xml.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "disqus" / "export.xml").read_bytes())[:300])
    with pytest.raises(ParseError) as caught:
        texts(packed)
    assert str(caught.value).startswith(f"{packed}: ") and "\n" not in str(caught.value)


def test_gzip_bomb_is_refused_too(tmp_path: Path) -> None:
    import gzip

    packed = tmp_path / "bomb.xml.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "wxr" / "billion-laughs.xml").read_bytes()))
    with pytest.raises(
        ParseError, match=r"bomb.xml.gz: line 3: the document declares XML entities"
    ):
        texts(packed)
