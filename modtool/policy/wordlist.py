"""Word lists that stay cheap at 200,000 words (issue 9.9).

A ``words`` list used to be one alternation with a named group per word:
200k words made ``policy check`` take 44 s and ``suggest`` 50 s and 1.26 GB.
Now each entry goes to the cheapest matcher that gives the same whole-word
answer:

* **plain words** (one run of word characters, no ``*``, no edits): a set,
  looked up with the comment's distinct words (case-folded unless
  ``case_sensitive``). No regex at all;
* **prefix wildcards** (``idiot*``): a set of prefixes, tried on the
  comment's distinct words;
* **other exact entries** (phrases, ``*`` inside a word, symbols such as
  ``a$$``): one trie-shaped regex (shared prefixes written once), at most
  :data:`MAX_TRIE_WORDS` entries; the entry a match came from is found
  afterwards by its literal prefix;
* **fuzzy and masked entries** that get edits: the named-group alternation as
  before (fuzzy matching cannot share a trie), at most
  :data:`MAX_FUZZY_WORDS` entries.

Over a cap is a policy problem naming the limit, never a slow run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import regex

MAX_TRIE_WORDS = 20_000
"""Exact entries that need a regex (phrases, inner ``*``, symbols): a 20k-entry
trie compiles in about a second; 200k took 11 s and 350 MB."""
MAX_FUZZY_WORDS = 1_000
"""Entries with fuzzy or masked edits: searching 1,000 costs ~10-40 ms a comment."""
MAX_WORD_CHARS = 100
MASK_CLASS = r"[^\s\p{L}]"
"""What may stand in for a letter in a ``masked`` word: ``f*ck``, ``sh1t``, ``a$$``."""

WORD_RUN = regex.compile(r"\w+")
_TOKEN = regex.compile(r"\w+\*?")

Found = dict[int, tuple[list[list[int]], list[str]]]
"""``{word index: (spans, matched texts)}``."""


class WordListTooBig(ValueError):
    """A list over one of the caps; the message says which."""


def edits_for(word: str, fuzzy: int, masked: int) -> tuple[int, int]:
    """Edits a word gets: one fuzzy edit per 5 letters; masking leaves 2 letters."""
    letters = len(word.replace("*", "").replace(" ", ""))
    return min(fuzzy, letters // 5), min(masked, max(letters - 2, 0))


def literal(word: str) -> str:
    return r"\s+".join(
        regex.escape(part, special_only=True).replace(r"\*", r"\w*") for part in word.split()
    )


def constrained(core: str, fuzzy: int, masked: int) -> str:
    if fuzzy:
        return f"(?:{core}){{e<={fuzzy}}}"
    if masked:
        return f"(?:{core}){{s<={masked}:{MASK_CLASS}}}"
    return f"(?:{core})"


def word_pattern(word: str, fuzzy: int = 0, masked: int = 0) -> str:
    """One entry of a ``words`` list as a whole-word pattern (Coral-style word lists).

    ``*`` stands for any word characters (``idiot*`` matches ``idiots``,
    ``idiotic``); spaces match any run of whitespace. ``fuzzy = N`` allows N
    edits, one per 5 letters of the word, so short words stay exact
    (``arsewipe`` catches ``arzewipe``, ``dumb`` does not catch ``dump``);
    ``masked = N`` allows N letters replaced by a symbol or digit (``f*cks``,
    ``sh1t``) without matching other words (``shirt``).
    """
    return rf"(?<!\w){constrained(literal(word), *edits_for(word, fuzzy, masked))}(?!\w)"


def word_list_pattern(words: list[str], fuzzy: int = 0, masked: int = 0) -> str:
    """All words as one whole-word pattern; named group ``w<i>`` is ``words[i]``.

    Words that get the same number of edits share one fuzzy constraint around
    their alternation: one scan of the text instead of one per word (about 5
    times faster on a list of 13 masked words).
    """
    groups: dict[tuple[int, int], list[str]] = {}
    for index, word in enumerate(words):
        groups.setdefault(edits_for(word, fuzzy, masked), []).append(
            f"(?P<w{index}>{literal(word)})"
        )
    alternatives = "|".join(
        constrained("|".join(members), *edits) for edits, members in groups.items()
    )
    return rf"(?<!\w)(?:{alternatives})(?!\w)"


def _trie_pattern(entries: list[str]) -> str:
    """Entries as one regex with shared prefixes: ``(?:idiot(?:s|ic)|moron)``."""
    root: dict[str, dict] = {}
    for entry in entries:
        node = root
        for piece in _pieces(entry):
            node = node.setdefault(piece, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # depth <= MAX_WORD_CHARS
        ends = "" in node
        branches = [piece + emit(child) for piece, child in node.items() if piece]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return rf"(?<!\w)(?:{emit(root)})(?!\w)"


def _pieces(entry: str) -> list[str]:
    pieces: list[str] = []
    for number, part in enumerate(entry.split()):
        if number:
            pieces.append(r"\s+")
        pieces.extend(r"\w*" if ch == "*" else regex.escape(ch, special_only=True) for ch in part)
    return pieces


def _normal(text: str, fold: bool) -> str:
    joined = " ".join(text.split())
    return joined.casefold() if fold else joined


@dataclass(slots=True)
class WordMatcher:
    """Finds which entries of a ``words`` list occur in a text (see the module doc)."""

    words: tuple[str, ...]
    flags: int
    plain: dict[str, int] = field(default_factory=dict)
    prefixes: dict[str, int] = field(default_factory=dict)
    prefix_lengths: tuple[int, ...] = ()
    trie: regex.Pattern[str] | None = None
    trie_keys: dict[str, list[int]] = field(default_factory=dict)
    trie_key_lengths: tuple[int, ...] = ()
    fuzzy: regex.Pattern[str] | None = None
    fuzzy_index: tuple[int, ...] = ()
    _single: dict[int, regex.Pattern[str]] = field(default_factory=dict)

    @property
    def fold(self) -> bool:
        return bool(self.flags & regex.IGNORECASE)

    @property
    def uses_regex(self) -> bool:
        return self.trie is not None or self.fuzzy is not None

    def find(
        self, text: str, timeout: Callable[[], float | None], limit: int
    ) -> tuple[Found, list[str]]:
        """``(found, timed_out)``: matches per entry, and which regex parts ran out of time.

        ``timeout()`` gives the seconds the next regex search may take, or
        ``None`` when the comment's regex budget is spent (the part is then
        not run and reported like a timeout).
        """
        found: Found = {}
        total = self._find_tokens(text, found, limit)
        failed: list[str] = []
        for part, pattern in (("trie", self.trie), ("fuzzy", self.fuzzy)):
            if pattern is None or total >= limit:
                continue
            seconds = timeout()
            if seconds is None:
                failed.append(part)
                continue
            try:
                for match in pattern.finditer(text, timeout=seconds):
                    if match.end() == match.start():
                        continue
                    index = self._which(part, match)
                    spans, matched = found.setdefault(index, ([], []))
                    spans.append([match.start(), match.end()])
                    matched.append(match.group())
                    total += 1
                    if total >= limit:
                        break
            except TimeoutError:
                failed.append(part)
        return found, failed

    def _find_tokens(self, text: str, found: Found, limit: int) -> int:
        if not self.plain and not self.prefixes:
            return 0
        fold = self.fold
        distinct = {token.casefold() if fold else token for token in set(WORD_RUN.findall(text))}
        if not distinct & self.plain.keys() and not any(
            token[:length] in self.prefixes
            for token in distinct
            for length in self.prefix_lengths
            if length <= len(token)
        ):
            return 0
        total = 0
        for match in WORD_RUN.finditer(text):
            token = match.group()
            key = token.casefold() if fold else token
            index = self.plain.get(key)
            if index is None:
                index = next(
                    (
                        self.prefixes[key[:length]]
                        for length in self.prefix_lengths
                        if length <= len(key) and key[:length] in self.prefixes
                    ),
                    None,
                )
            if index is None:
                continue
            spans, matched = found.setdefault(index, ([], []))
            spans.append([match.start(), match.end()])
            matched.append(token)
            total += 1
            if total >= limit:
                break
        return total

    def _which(self, part: str, match: regex.Match[str]) -> int:
        if part == "fuzzy":
            return self.fuzzy_index[int(match.lastgroup[1:])] if match.lastgroup else 0
        text = match.group()
        key = _normal(text, self.fold)
        candidates = [
            index
            for length in self.trie_key_lengths
            if length <= len(key)
            for index in self.trie_keys.get(key[:length], ())
        ]
        everything = [i for indices in self.trie_keys.values() for i in indices]
        for index in candidates + everything:  # the second list only if folding disagreed
            single = self._single.get(index)
            if single is None:
                single = self._single[index] = regex.compile(literal(self.words[index]), self.flags)
            if single.fullmatch(text):
                return index
        return candidates[0] if candidates else everything[0]


def build_matcher(words: list[str], fuzzy: int, masked: int, flags: int) -> WordMatcher:
    """Sort each entry to its matcher; :class:`WordListTooBig` over a cap."""
    fold = bool(flags & regex.IGNORECASE)
    matcher = WordMatcher(words=tuple(words), flags=flags)
    trie_entries: list[str] = []
    fuzzy_entries: list[int] = []
    for index, word in enumerate(words):
        if len(word) > MAX_WORD_CHARS:
            raise WordListTooBig(
                f"entry {word[:40]!r}... is {len(word)} characters (at most {MAX_WORD_CHARS})"
            )
        if edits_for(word, fuzzy, masked) != (0, 0):
            fuzzy_entries.append(index)
            continue
        stripped = word.strip()
        if _TOKEN.fullmatch(stripped):
            key = stripped.casefold() if fold else stripped
            if key.endswith("*"):
                matcher.prefixes.setdefault(key[:-1], index)
            else:
                matcher.plain.setdefault(key, index)
            continue
        trie_entries.append(word)
        matcher.trie_keys.setdefault(_normal(word.split("*")[0], fold), []).append(index)
    if len(trie_entries) > MAX_TRIE_WORDS:
        raise WordListTooBig(
            f"has {len(trie_entries)} phrases or entries with symbols or an inner '*' "
            f"(at most {MAX_TRIE_WORDS}; plain words and 'prefix*' entries have no limit)"
        )
    if len(fuzzy_entries) > MAX_FUZZY_WORDS:
        kind = "fuzzy" if fuzzy else "masked"
        raise WordListTooBig(
            f"has {len(fuzzy_entries)} {kind} entries (at most {MAX_FUZZY_WORDS}; split the "
            "list, or keep the long tail as plain words)"
        )
    matcher.prefix_lengths = tuple(sorted({len(p) for p in matcher.prefixes}, reverse=True))
    matcher.trie_key_lengths = tuple(sorted({len(k) for k in matcher.trie_keys}, reverse=True))
    if trie_entries:
        matcher.trie = regex.compile(_trie_pattern(trie_entries), flags)
    if fuzzy_entries:
        chosen = [words[i] for i in fuzzy_entries]
        matcher.fuzzy = regex.compile(word_list_pattern(chosen, fuzzy, masked), flags)
        matcher.fuzzy_index = tuple(fuzzy_entries)
    return matcher
