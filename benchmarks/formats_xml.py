"""Synthetic WordPress (WXR 1.2) and Disqus exports for the import benchmarks.

Both writers stream (any size) and mimic what real exports hold: WXR items
with a post body, comments with e-mail and IP fields (which modtool must never
store), a few replies written before their parents, pending/spam/trash
comments and pingbacks; a Disqus export with threads and posts interleaved,
posts in creation order across threads (so a thread's posts are scattered
through the file), HTML ``<p>`` bodies, deleted and spam posts.

Used by ``benchmarks/import_bench.py --format wxr|disqus``. Run directly to
write one: ``.venv/bin/python benchmarks/formats_xml.py wxr out.xml 200000``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import WORDS

_APPROVED = ("1",) * 95 + ("0",) * 3 + ("spam", "trash")


def _sentence(rng: random.Random, low: int = 8, high: int = 60) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _thread_sizes(rng: random.Random, comments: int) -> list[int]:
    """Comments per post: mostly tens, now and then a few hundred (heavy tail)."""
    sizes = []
    left = comments
    while left > 0:
        size = min(left, max(1, int(rng.paretovariate(1.3) * 12)))
        sizes.append(min(size, 2000))
        left -= sizes[-1]
    return sizes


def _wxr_body(rng: random.Random) -> str:
    """A comment as WordPress stores it: plain text, newlines, a little inline HTML."""
    paragraphs = [_sentence(rng) for _ in range(rng.choice((1, 1, 2, 3)))]
    roll = rng.random()
    if roll < 0.15:
        paragraphs[0] += ' <a href="https://example.com/x?a=1&amp;b=2">a link</a>'
    elif roll < 0.25:
        paragraphs[-1] = f"<em>{paragraphs[-1]}</em> &amp; more"
    return "\n\n".join(paragraphs)


def write_wxr(path: Path, comments: int, seed: int) -> None:
    """A WXR 1.2 export with ``comments`` comments over many posts."""
    rng = random.Random(seed)
    next_id = 1
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            '<rss version="2.0"\n'
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n<channel>\n'
            "\t<title>Synthetic site</title>\n\t<link>https://example.com</link>\n"
            "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
            "\t<wp:author><wp:author_id>1</wp:author_id>"
            "<wp:author_login><![CDATA[admin]]></wp:author_login>"
            "<wp:author_email><![CDATA[admin@example.com]]></wp:author_email></wp:author>\n"
        )
        for post_id, size in enumerate(_thread_sizes(rng, comments), start=100):
            day = 1 + post_id % 28
            out.write(
                f"\t<item>\n\t\t<title><![CDATA[Post {post_id}: {_sentence(rng, 3, 8)}]]></title>\n"
                f"\t\t<link>https://example.com/2024/01/{day:02d}/post-{post_id}/</link>\n"
                f"\t\t<pubDate>Mon, {day:02d} Jan 2024 10:00:00 +0000</pubDate>\n"
                f"\t\t<dc:creator><![CDATA[admin]]></dc:creator>\n"
                f'\t\t<guid isPermaLink="false">https://example.com/?p={post_id}</guid>\n'
                f"\t\t<description></description>\n"
                f"\t\t<content:encoded>{_cdata(_wxr_body(rng))}</content:encoded>\n"
                f"\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
                f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
                f"\t\t<wp:post_date><![CDATA[2024-01-{day:02d} 11:00:00]]></wp:post_date>\n"
                f"\t\t<wp:post_date_gmt><![CDATA[2024-01-{day:02d} 10:00:00]]></wp:post_date_gmt>\n"
                "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n"
                f"\t\t<wp:post_name><![CDATA[post-{post_id}]]></wp:post_name>\n"
                "\t\t<wp:status><![CDATA[publish]]></wp:status>\n"
                "\t\t<wp:post_parent>0</wp:post_parent>\n"
                "\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n"
            )
            ids = list(range(next_id, next_id + size))
            next_id += size
            parents = [
                0 if i == 0 or rng.random() < 0.4 else rng.choice(ids[:i]) for i in range(size)
            ]
            order = list(range(size))
            for _ in range(size // 50):  # a few replies written before their parents
                a, b = rng.randrange(size), rng.randrange(size)
                order[a], order[b] = order[b], order[a]
            for i in order:
                user = rng.randint(1, 5000)
                minute = i % 60
                kind = "pingback" if rng.random() < 0.01 else "comment"
                out.write(
                    "\t\t<wp:comment>\n"
                    f"\t\t\t<wp:comment_id>{ids[i]}</wp:comment_id>\n"
                    f"\t\t\t<wp:comment_author><![CDATA[User {user}]]></wp:comment_author>\n"
                    f"\t\t\t<wp:comment_author_email><![CDATA[user{user}@example.net]]>"
                    "</wp:comment_author_email>\n"
                    "\t\t\t<wp:comment_author_url></wp:comment_author_url>\n"
                    f"\t\t\t<wp:comment_author_IP><![CDATA[192.0.2.{user % 250}]]>"
                    "</wp:comment_author_IP>\n"
                    f"\t\t\t<wp:comment_date><![CDATA[2024-01-{day:02d} 12:{minute:02d}:00]]>"
                    "</wp:comment_date>\n"
                    f"\t\t\t<wp:comment_date_gmt><![CDATA[2024-01-{day:02d} 11:{minute:02d}:00]]>"
                    "</wp:comment_date_gmt>\n"
                    f"\t\t\t<wp:comment_content>{_cdata(_wxr_body(rng))}</wp:comment_content>\n"
                    f"\t\t\t<wp:comment_approved><![CDATA[{rng.choice(_APPROVED)}]]>"
                    "</wp:comment_approved>\n"
                    f"\t\t\t<wp:comment_type><![CDATA[{kind}]]></wp:comment_type>\n"
                    f"\t\t\t<wp:comment_parent>{parents[i]}"
                    "</wp:comment_parent>\n"
                    "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
                    "\t\t</wp:comment>\n"
                )
            out.write("\t</item>\n")
        out.write("</channel>\n</rss>\n")


def _disqus_thread(thread_id: int, rng: random.Random) -> str:
    return (
        f'<thread dsq:id="{thread_id}">\n'
        f"<id>post-{thread_id}</id>\n<forum>synthetic</forum>\n"
        '<category dsq:id="1" />\n'
        f"<link>https://example.com/posts/{thread_id}/</link>\n"
        f"<title>{escape(_sentence(rng, 3, 8))}</title>\n"
        "<message />\n"
        f"<createdAt>2024-01-01T{thread_id % 24:02d}:00:00Z</createdAt>\n"
        "<author><name>Site Admin</name><isAnonymous>false</isAnonymous>"
        "<username>admin</username></author>\n"
        "<isClosed>false</isClosed>\n<isDeleted>false</isDeleted>\n"
        "</thread>\n"
    )


def write_disqus(path: Path, comments: int, seed: int, *, old_style: bool = False) -> None:
    """A Disqus export with ``comments`` posts; ``old_style`` adds e-mail and IP fields."""
    rng = random.Random(seed)
    sizes = _thread_sizes(rng, comments)
    thread_ids = [10_000 + i for i in range(len(sizes))]
    late = set(rng.sample(thread_ids, len(thread_ids) // 10))  # declared after their posts
    # Posts in creation order across the site: pick a thread per post, weighted by size.
    remaining = dict(zip(thread_ids, sizes, strict=True))
    owners = [t for t, n in remaining.items() for _ in range(n)]
    rng.shuffle(owners)
    posted: dict[int, list[int]] = {t: [] for t in thread_ids}
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
            'http://disqus.com/api/schemas/1.0/internals.xsd">\n'
            '<category dsq:id="1">\n<forum>synthetic</forum>\n<title>General</title>\n'
            "<isDefault>true</isDefault>\n</category>\n"
        )
        for thread_id in thread_ids:
            if thread_id not in late:
                out.write(_disqus_thread(thread_id, rng))
        for number, thread_id in enumerate(owners):
            post_id = 5_000_000 + number
            earlier = posted[thread_id]
            parent = rng.choice(earlier) if earlier and rng.random() < 0.6 else None
            earlier.append(post_id)
            paragraphs = "".join(f"<p>{_sentence(rng)}</p>" for _ in range(rng.choice((1, 1, 2))))
            if rng.random() < 0.1:
                paragraphs += '<p><a href="https://example.com/ref" rel="nofollow">a source</a></p>'
            user = rng.randint(1, 5000)
            flags = rng.random()
            extra = f"<email>user{user}@example.net</email>" if old_style else ""
            out.write(
                f'<post dsq:id="{post_id}">\n<id />\n'
                f"<message>{_cdata(paragraphs)}</message>\n"
                f"<createdAt>2024-02-{1 + number % 28:02d}T{number % 24:02d}:00:00Z</createdAt>\n"
                f"<isDeleted>{'true' if flags < 0.02 else 'false'}</isDeleted>\n"
                f"<isSpam>{'true' if 0.02 <= flags < 0.03 else 'false'}</isSpam>\n"
                f"<author>{extra}<name>{escape(f'User {user}')}</name>"
                f"<isAnonymous>false</isAnonymous><username>user{user}</username></author>\n"
                + (f"<ipAddress>192.0.2.{user % 250}</ipAddress>\n" if old_style else "")
                + f'<thread dsq:id="{thread_id}" />\n'
                + (f"<parent dsq:id={quoteattr(str(parent))} />\n" if parent else "")
                + "</post>\n"
            )
        for thread_id in thread_ids:
            if thread_id in late:
                out.write(_disqus_thread(thread_id, rng))
        out.write("</disqus>\n")


if __name__ == "__main__":
    kind, target, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    (write_wxr if kind == "wxr" else write_disqus)(target, count, 1)
