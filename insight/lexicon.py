"""Hand-written cue words per CX factor and per sentiment, in English, Russian and Polish.

The lexicon (`resources/lexicon.json`) is domain knowledge written independently of the
labeled corpus. The model uses its matches as extra features (``LEX_price``,
``SENT_negative``), which carry over to phrasings the corpus never showed: a comment
about "hidden surcharges" shares a feature with one about "комиссия". It is also the
keyword baseline a spreadsheet team would use (see `bench/`).

>>> lexicon_features(["too", "expensive", "but", "not", "bad"])
['LEX_price', 'SENT_negative', 'NEG_SENT_negative']
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from insight.text import clauses, fold_polish, is_negator

LEXICON_PATH = Path(__file__).parent / "resources" / "lexicon.json"
_MIN_PREFIX = 3
SENTIMENT_SCOPE = 3  # words after a negator whose sentiment matches become NEG_SENT_


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]  # each a prefix, or an exact word when it ended in "$"
    exact: tuple[bool, ...]
    tag: str


class Lexicon:
    """Matches tokens of a normalised comment against prefix and exact-word entries."""

    def __init__(self, data: dict[str, object], *, folded: bool = False) -> None:
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._prefix: dict[str, set[str]] = defaultdict(set)
        self._phrases: dict[str, list[_Entry]] = defaultdict(list)  # keyed by first word
        groups = [("LEX_" + f, lists) for f, lists in data["factors"].items()]  # type: ignore[attr-defined]
        groups += [("SENT_" + p, lists) for p, lists in data["sentiment"].items()]  # type: ignore[attr-defined]
        self.tags = sorted(tag for tag, _ in groups)
        for tag, lists in groups:
            for entries in lists.values():
                if folded:  # each entry also in plain letters (see `insight.text.fold_polish`)
                    entries = list(dict.fromkeys([*entries, *map(fold_polish, entries)]))
                for raw in entries:
                    words = tuple(w.rstrip("$") for w in raw.split())
                    exact = tuple(w.endswith("$") for w in raw.split())
                    if len(words) > 1:
                        self._phrases[words[0]].append(_Entry(words, exact, tag))
                    elif exact[0] or len(words[0]) < _MIN_PREFIX:
                        self._exact[words[0]].add(tag)
                    else:
                        self._prefix[words[0]].add(tag)
        self._cache: dict[str, frozenset[str]] = {}
        self._phrase_cache: dict[str, tuple[_Entry, ...]] = {}
        self._plan: dict[str, tuple[tuple[str, ...], bool, bool]] = {}
        self._window = max((len(e.words) for es in self._phrases.values() for e in es), default=1)
        self._window_cache: dict[tuple[str, ...], tuple[str, ...]] = {}

    def token_tags(self, token: str) -> frozenset[str]:
        found = self._cache.get(token)
        if found is None:
            tags = set(self._exact.get(token, ()))
            for end in range(_MIN_PREFIX, len(token) + 1):
                tags.update(self._prefix.get(token[:end], ()))
            found = frozenset(tags)
            if len(self._cache) < 200_000:
                self._cache[token] = found
        return found

    def token_plan(self, token: str) -> tuple[tuple[str, ...], bool, bool]:
        """(sorted tags, has phrase candidates, is a negator) of a token, cached: the hot path."""
        found = self._plan.get(token)
        if found is None:
            tags = tuple(sorted(self.token_tags(token)))
            found = (tags, bool(self._candidates(token)), is_negator(token))
            if len(self._plan) < 200_000:
                self._plan[token] = found
        return found

    def _candidates(self, token: str) -> tuple[_Entry, ...]:
        """Phrase entries whose first word matches `token`, cached per token."""
        found = self._phrase_cache.get(token)
        if found is None:
            found = tuple(
                entry
                for end in range(1, len(token) + 1)
                for entry in self._phrases.get(token[:end], ())
                if not entry.exact[0] or token == entry.words[0]
            )
            if len(self._phrase_cache) < 200_000:
                self._phrase_cache[token] = found
        return found

    def phrase_tags(self, tokens: Sequence[str], i: int) -> set[str]:
        tags: set[str] = set()
        for entry in self._candidates(tokens[i]):
            n = len(entry.words)
            if i + n <= len(tokens) and all(
                tokens[i + k] == entry.words[k]
                if entry.exact[k]
                else tokens[i + k].startswith(entry.words[k])
                for k in range(1, n)
            ):
                tags.add(entry.tag)
        return tags

    def tags_at(self, tokens: Sequence[str], i: int, own: tuple[str, ...]) -> tuple[str, ...]:
        """Sorted tags of the token at `i` and of the phrases starting there, cached by the
        window of tokens a phrase can span (the hot path when the first word starts one)."""
        window = tuple(tokens[i : i + self._window])
        found = self._window_cache.get(window)
        if found is None:
            found = tuple(sorted(set(own) | self.phrase_tags(window, 0)))
            if len(self._window_cache) < 200_000:
                self._window_cache[window] = found
        return found


def negated_tag(tag: str) -> str:
    """A tag as it reads inside a negation's scope: sentiment flips, factors do not."""
    return "NEG_" + tag if tag.startswith("SENT_") else tag


@cache
def default_lexicon(folded: bool = False) -> Lexicon:
    """The bundled lexicon; `folded` adds every entry written in plain letters ("obslug" beside
    "obsług"), for models whose features fold Polish letters."""
    return Lexicon(json.loads(LEXICON_PATH.read_text(encoding="utf-8")), folded=folded)


def lexicon_features(tokens: Sequence[str], lexicon: Lexicon | None = None) -> list[str]:
    """One feature per match: ``LEX_<factor>``, ``SENT_<polarity>``; sentiment inside a
    negation's scope (three words of its clause) becomes ``NEG_SENT_<polarity>``."""
    return [f for found in clause_features(clauses(list(tokens)), lexicon) for f in found]


def clause_features(
    clause_tokens: Sequence[Sequence[str]], lexicon: Lexicon | None = None
) -> list[list[str]]:
    """`lexicon_features` of each clause (see `insight.text.clauses`): phrases and negation
    scope stay inside their clause."""
    lexicon = lexicon or default_lexicon()
    plan = lexicon.token_plan
    found: list[list[str]] = []
    for clause in clause_tokens:
        features: list[str] = []
        scope = 0
        for i, token in enumerate(clause):
            tags, phrases, negator = plan(token)
            if phrases:
                tags = lexicon.tags_at(clause, i, tags)  # "never again"
            if tags:
                if scope:
                    features.extend(map(negated_tag, tags))
                else:
                    features.extend(tags)
            if negator:
                scope = SENTIMENT_SCOPE
            elif scope:
                scope -= 1
        found.append(features)
    return found
