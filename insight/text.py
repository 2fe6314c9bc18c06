"""Text processing for survey comments: normalisation, language, tokens, lemmas, negation.

Pure functions over strings, so the model, the batch tagger and the API all see a comment
the same way. Per-token morphology is cached: survey vocabularies are small, and an
uncached Russian analyser would cap throughput far below what the tagger needs.

>>> normalize("Sooo SLOW!!! call +7 912 345-67-89 ёлки")
'soo slow!! call _phone_ елки'
>>> detect_language("Aplikacja ciągle się zawiesza")
'pl'
>>> analyze("не очень быстро", "ru")
['не', 'NEG_очень', 'NEG_быстро']
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from itertools import repeat
from pathlib import Path

MAX_CHARS = 5_000
"""Comments are cut at this many characters before anything else: real answers are far
shorter, and a megabyte pasted by mistake must not stall a batch."""

LANGUAGES: tuple[str, ...] = ("en", "ru", "pl")
MORPHOLOGY_MODES: tuple[str, ...] = ("auto", "lemma", "stem", "none")
# "stem" (Snowball) is the models' default (see README, "Text processing"): on dev it scores
# as lemmas do, and a word never seen before costs a C call instead of a pymorphy3 parse.
# "auto" takes lemmas where a fast offline lemmatiser exists (spaCy's English table,
# pymorphy3) and stems for Polish, whose 3.7-million-entry spaCy tables take ten seconds.
_AUTO_MODE = {"en": "lemma", "ru": "lemma", "pl": "stem"}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SPACE = re.compile(r"\s+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s().-]*\d){8,14}(?!\w)")
_NUMBER = re.compile(r"(?<!\w)\d+(?:[.,:/]\d+)*(?!\w)")
# A letter, or one of ! ? ., repeated three or more times (one pass over the text).
_REPEAT = re.compile(r"([^\W\d_]|[!?.])\1{2,}")
_TRIPLE = re.compile(r"(.)\1\1")
_DIGIT = re.compile(r"\d")
# Emoji and pictographs: the blocks survey respondents actually use.
_EMOJI_CLASS = (
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27bf"  # misc symbols and dingbats (❤ ☕ ✔ ✨)
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\u3030\u303d\u3297\u3299"
)
_EMOJI_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_TOKEN = re.compile(
    rf"_(?:url|email|phone|num)_|[^\W_]+(?:['’-][^\W_]+)*|[{_EMOJI_CLASS}]|[!?]|[.,;:]"
)
_CYRILLIC = re.compile(r"[а-яё]")
# Runs of letters: counting characters by their runs makes a few strings per comment, not one
# per letter.
_CYRILLIC_RUN = re.compile(r"[а-яё]+")
_LATIN_RUN = re.compile(r"[a-z]+")
_POLISH_LETTERS = re.compile(r"[ąćęłńóśźż]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґ]")  # after lower(); ё is folded to е earlier

MASKS = frozenset({"_url_", "_email_", "_phone_", "_num_"})
# Where a clause ends: negation scope, the lexicon's sentiment scope and `clauses` all stop here.
CLAUSE_BREAKS = frozenset(
    {
        ".",
        ",",
        ";",
        ":",
        "!",
        "?",
        "but",
        "however",
        "though",
        "although",
        "но",
        "а",
        "однако",
        "зато",
        "ale",
        "lecz",
        "jednak",
        "natomiast",
    }
)
_NEGATORS = frozenset(
    {
        # English (apostrophe forms are caught by the n't suffix below)
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nor",
        "neither",
        "without",
        "hardly",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "couldnt",
        "shouldnt",
        "havent",
        "hasnt",
        "hadnt",
        "aint",
        # Russian
        "не",
        "нет",
        "ни",
        "без",
        "нельзя",
        "никогда",
        "ничего",
        "никто",
        "нету",
        # Polish
        "nie",
        "brak",
        "bez",
        "ani",
        "nigdy",
        "nic",
        "nikt",
        "żaden",
        "żadna",
        "żadne",
        "zero",
        # transliterated Russian
        "ne",
        "net",
        "nikogda",
        "nichego",
    }
)
NEGATION_SCOPE = 3

# Function words that tell English, Polish and transliterated Russian apart in short texts.
_EN_WORDS = frozenset(
    "the and is are was were to it of you your i my me we our they a an for not but with this that "
    "very so too no yes good bad great service price app staff just get got its it's dont don't "
    "can't cant im i'm be been have has had will would could should there what when why how all "
    "never ever again always love hate thanks thank please ok okay fine slow fast cheap expensive "
    "nice terrible awful horrible excellent amazing support delivery order customer".split()
)
_PL_WORDS = frozenset(
    "i w na z że do to jak ale nie się jest są był była było bardzo już tak mi po za czy co o "
    "od dla też tylko jeszcze przez ze mnie mam ma pan pani polecam obsługa obsluga dostawa cena "
    "drogo tanio szybko wolno dobrze źle zle fajnie dziękuję dziekuje wszystko "
    "aplikacja apka kurier zamówienie zamowienie czekałem czekalam czekałam jestem można mozna "
    "zawsze nigdy więcej wiecej trochę troche bo ten ta te tego tej sie juz sa byl bylo tez "
    "dzieki dramat masakra spoko kasa".split()
)
_RU_TRANSLIT_WORDS = frozenset(
    "ne i v na chto eto ochen vse vsyo net uzhe kak tak no bylo mne menya ya vy vas nas "
    "spasibo khorosho horosho ploho plokho dostavka operator zakaz prilozhenie deneg dengi "
    "vsegda nikogda opyat opjat kogda esli tolko sovsem voobshe voobshche normalno".split()
)
# Frequent function words of other Latin-script languages, so "das ist gut" is not English.
_OTHER_LATIN_WORDS = frozenset(
    "der die das ist und nicht ich sie es ein eine mit auch sehr gut el la los las es y muy que "
    "por para con pero le les est et pas je très avec mais il non sono molto che per ma".split()
)
SCOPE_FREE = frozenset({"the", "a", "an", "any", "very", "really", "so", "too"})
LATIN_TRIGRAMS_PATH = Path(__file__).parent / "resources" / "latin_trigrams.json"
# Function words settle a Latin text when one language leads by this many; below it (a short
# answer, or a word both languages have), the letter trigrams decide.
_DECISIVE_LEAD = 2
# The trigram guess counts only when its language is this much likelier (in nats) than the
# next, and when its letters look like the language at all (mean log-probability per trigram
# above the floor), so a Czech or German text without function words stays "other".
_GUESS_MARGIN = 2.0
_GUESS_FLOOR = -9.0
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def normalize(text: str) -> str:
    """Fold a comment to the form features are computed on.

    NFKC, lower case, ``ё``→``е``, URLs/e-mails/phones/numbers masked (``_url_`` ...),
    letters repeated three or more times squeezed to two, emoji kept (minus skin-tone and
    presentation modifiers), control characters and runs of white space made one space.
    """
    text = text[:MAX_CHARS]
    if not text.isprintable():  # every character _CONTROL matches is unprintable
        text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.lower().replace("ё", "е").replace("’", "'")
    # Each pattern runs only when its cheap precondition holds: most comments have no
    # URL, address or digit, and this function runs once per comment on every path.
    if "http" in text or "www." in text:
        text = _URL.sub(" _url_ ", text)
    if "@" in text:
        text = _EMAIL.sub(" _email_ ", text)
    if _DIGIT.search(text):
        text = _NUMBER.sub(" _num_ ", _PHONE.sub(" _phone_ ", text))
    if not text.isascii():
        text = _EMOJI_MODIFIERS.sub("", text)
    if _TRIPLE.search(text):  # a plain search for any tripled character is 10x cheaper
        text = _REPEAT.sub(r"\1\1", text)
    return " ".join(text.split())


def tokenize(normalized: str) -> list[str]:
    """Split normalised text into words, masks, emoji and the marks ``! ? . , ; :``."""
    return _TOKEN.findall(normalized)


def detect_language(text: str, *, normalized: bool = False) -> str:
    """Return ``en``, ``ru``, ``pl`` or ``other`` from script, letters and function words.

    Offline and instant: Cyrillic means Russian (Ukrainian letters aside); among Latin
    texts, Polish letters and Polish, English or transliterated-Russian function words
    decide. A Latin text with no such evidence is ``other``.
    """
    sample = text if normalized else normalize(text)
    return language_of(sample, tokenize(sample))


def language_of(sample: str, tokens: list[str]) -> str:
    """`detect_language` for a comment already normalised and tokenised."""
    if sample.isascii():  # most Latin comments: no Cyrillic or Polish letters to count
        cyrillic = polish_letters = 0
        latin = 1 if _LATIN_RUN.search(sample) else 0  # only whether there is one matters
        words = [t for t in tokens if t[0].isalpha()]
    else:
        cyrillic = sum(map(len, _CYRILLIC_RUN.findall(sample)))
        polish_letters = len(_POLISH_LETTERS.findall(sample))
        latin = sum(map(len, _LATIN_RUN.findall(sample))) + polish_letters
        words = latin_words(tokens)
    if cyrillic == 0 and latin == 0:
        return "other"
    if cyrillic >= latin:
        # Ukrainian letters in more than 3% of the Cyrillic ones: Ukrainian, not a Russian
        # comment with one Ukrainian word in it.
        return "other" if len(_UKRAINIAN_LETTERS.findall(sample)) > 0.03 * cyrillic else "ru"
    polish = 2 * polish_letters + sum(map(_PL_WORDS.__contains__, words))
    english = sum(map(_EN_WORDS.__contains__, words))
    russian = sum(map(_RU_TRANSLIT_WORDS.__contains__, words))
    other = sum(map(_OTHER_LATIN_WORDS.__contains__, words))
    best = max(polish, english, russian)
    if other > best:
        return "other"
    first, second, _ = sorted((polish, english, russian), reverse=True)
    if first - second < _DECISIVE_LEAD:
        guess = latin_guess(words)
        if guess is not None:
            return guess
    if best == 0:
        return _guess_unknown_latin(words)
    if polish == best:
        return "pl"
    if english == best:
        return "en"
    return "ru"


def latin_words(tokens: Sequence[str]) -> list[str]:
    """The Latin-script words of a comment's tokens (no masks, numbers, emoji or Cyrillic)."""
    return [t for t in tokens if t[0].isalpha() and not _CYRILLIC.match(t)]


def latin_trigrams(words: Sequence[str]) -> list[str]:
    """Letter trigrams of words, each padded by a space; a word's apostrophes and hyphens
    break it into its letter runs.

    >>> latin_trigrams(["ok", "it's"])
    [' ok', 'ok ', ' it', 'it ', ' s ']
    """
    grams: list[str] = []
    for word in words:
        for run in (word,) if word.isalpha() else _LATIN_WORD.findall(word):
            padded = f" {run} "
            grams += [padded[i : i + 3] for i in range(len(padded) - 2)]
    return grams


@cache
def _trigram_model() -> tuple[dict[str, dict[str, float]], float]:
    """Add-one smoothed log P(trigram | language) from `training.language_table`'s counts.

    A trigram a language never showed gets the same small probability in every language:
    add-one smoothing alone would give it more in the language with the fewest counts
    (transliterated Russian), and unknown words would read as Russian. Returns the
    log-probabilities per language and that one log-probability of an unseen trigram.
    """
    counts: dict[str, dict[str, int]] = json.loads(LATIN_TRIGRAMS_PATH.read_text("utf-8"))
    vocabulary = len({g for table in counts.values() for g in table})
    totals = {k: sum(v.values()) + vocabulary for k, v in counts.items()}
    floor = -math.log(max(totals.values()))
    log_p = {k: {g: math.log((n + 1) / totals[k]) for g, n in v.items()} for k, v in counts.items()}
    return log_p, floor


# Per word: its number of trigrams, then its log-likelihood in each language of the table
# (in the table's order). Survey words repeat, so a word's trigrams are read once.
_WORD_TRIGRAM_SCORES: dict[str, tuple[float, ...]] = {}


def latin_guess(words: Sequence[str]) -> str | None:
    """The language whose letter trigrams best explain a comment's Latin words, if clearly so.

    >>> latin_guess(["brak", "uwag"]), latin_guess(["easy", "to", "use", "website"])
    ('pl', 'en')
    """
    if not words:
        return None
    log_p, _ = _trigram_model()
    cached = _WORD_TRIGRAM_SCORES.get
    rows = [cached(w) or _word_trigram_scores(w) for w in words]
    n_grams, *totals = (sum(column) for column in zip(*rows, strict=True))
    if not n_grams:
        return None
    ranked = sorted(zip(totals, log_p, strict=True), reverse=True)
    (top, language), (runner_up, _) = ranked[0], ranked[1]
    if top - runner_up < _GUESS_MARGIN or top / n_grams < _GUESS_FLOOR:
        return None
    return language


def _word_trigram_scores(word: str) -> tuple[float, ...]:
    log_p, unseen = _trigram_model()
    grams = latin_trigrams([word])
    scores = (
        float(len(grams)),
        *(sum(map(table.get, grams, repeat(unseen))) for table in log_p.values()),
    )
    if len(_WORD_TRIGRAM_SCORES) < _CACHE_LIMIT:
        _WORD_TRIGRAM_SCORES[word] = scores
    return scores


def _guess_unknown_latin(words: list[str]) -> str:
    """A Latin text with no function words: English if its words look English, else other."""
    english_like = [w for w in words if w.isascii()]
    if english_like and len(english_like) == len(words) and len(words) <= 3:
        return "en"  # "ok", "meh", "gr8": short ASCII answers are overwhelmingly English
    return "other"


def script_language(token: str, comment_language: str) -> str:
    """The morphology to use for one token of a possibly mixed-language comment."""
    if _CYRILLIC.search(token):
        return "ru"
    return "pl" if comment_language == "pl" else "en"


@cache
def _lookup_table(language: str) -> dict[str, str]:
    """spaCy's lemma lookup tables (spacy-lookups-data), read once; Polish merges its POS tables."""
    import spacy_lookups_data

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    names = {
        "en": ["en_lemma_lookup"],
        "ru": ["ru_lemma_lookup"],
        "pl": [f"pl_lemma_lookup_{pos}" for pos in ("adv", "adj", "verb", "noun")],
    }[language]
    table: dict[str, str] = {}
    for name in names:  # later tables win: nouns are the most common survey words
        with gzip.open(folder / f"{name}.json.gz", "rt", encoding="utf-8") as handle:
            table.update(json.load(handle))
    return table


@cache
def _russian_analyzer() -> Callable[[str], str]:
    import pymorphy3

    analyzer = pymorphy3.MorphAnalyzer()
    return lambda word: str(analyzer.parse(word)[0].normal_form)


@cache
def _stemmer(language: str) -> Callable[[str], str]:
    import Stemmer

    name = {"en": "english", "ru": "russian", "pl": "polish"}[language]
    stem: Callable[[str], str] = Stemmer.Stemmer(name).stemWord
    return stem


@cache
def _lemmatizer(language: str) -> Callable[[str], str]:
    if language == "ru":
        return _russian_analyzer()
    table = _lookup_table(language)
    return lambda word: table.get(word, word)


_CACHES: dict[tuple[str, str], dict[str, str]] = {}
_CACHE_LIMIT = 500_000  # bounded: a stream of random strings must not eat memory


def base_form(token: str, language: str, mode: str = "auto") -> str:
    """Lemma or stem of one lower-case token, cached per (language, mode)."""
    if mode == "none" or len(token) < 3 or not token[0].isalpha():
        return token  # short tokens ("ok", "не") are their own base form; tables mangle them
    if mode == "auto":
        mode = _AUTO_MODE[language]
    cache_ = _CACHES.setdefault((language, mode), {})
    found = cache_.get(token)
    if found is None:
        found = (_stemmer if mode == "stem" else _lemmatizer)(language)(token)
        if len(cache_) < _CACHE_LIMIT:
            cache_[token] = found
    return found


_POLISH_FOLD = str.maketrans("ąćęłńóśźż", "acelnoszz")


def fold_polish(text: str) -> str:
    """Lower-case text with Polish letters written as their plain Latin ones ("ł" -> "l").

    About one Polish comment in five is typed without diacritics ("obsluga", "szybko i tanio,
    polecam"); folding makes both spellings one feature.
    """
    return text.translate(_POLISH_FOLD)


def is_negator(token: str) -> bool:
    return token in _NEGATORS or token.endswith("n't")


_TOKEN_FORMS: dict[tuple[str, str], dict[str, str]] = {}


def clauses(tokens: list[str]) -> list[list[str]]:
    """Split tokens at clause breaks (punctuation, "but", "но", "ale").

    Opinions about one aspect live in one clause: "fast delivery, but the courier was rude".
    """
    found: list[list[str]] = [[]]
    for token in tokens:
        if token in CLAUSE_BREAKS:
            if found[-1]:
                found.append([])
        else:
            found[-1].append(token)
    return [c for c in found if c]


def word_form(token: str, language: str, mode: str = "auto") -> str:
    """The base form `analyze` gives a token (without negation marks), cached."""
    return _TOKEN_FORMS.get((language, mode), {}).get(token) or _form(token, language, mode)


def _form(token: str, language: str, mode: str) -> str:
    """The feature form of a token for a comment in `language`: cached by token."""
    forms = _TOKEN_FORMS.setdefault((language, mode), {})
    found = forms.get(token)
    if found is None:
        found = base_form(token, script_language(token, language), mode)
        if len(forms) < _CACHE_LIMIT:
            forms[token] = found
    return found


def analyze_clauses(
    clause_tokens: Sequence[list[str]], language: str, mode: str = "auto"
) -> list[list[str]]:
    """Word features of each clause: base forms, with words in a negation's scope marked ``NEG_``.

    The negator itself is kept; the next three words of its clause are marked, so "not bad"
    and "bad" become different features. Clauses come from `clauses`: a scope never
    crosses a comma or a "but".
    """
    forms = _TOKEN_FORMS.get((language, mode)) or {}
    found: list[list[str]] = []
    for clause in clause_tokens:
        features: list[str] = []
        scope = 0
        for token in clause:
            if token in _NEGATORS or token.endswith("n't"):
                features.append(token)
                scope = NEGATION_SCOPE
                continue
            form = forms.get(token) or _form(token, language, mode)
            if not scope:
                features.append(form)
            else:
                features.append("NEG_" + form)
                if token not in SCOPE_FREE:
                    scope -= 1
        found.append(features)
    return found


def analyze(
    text: str,
    language: str,
    mode: str = "auto",
    *,
    normalized: bool = False,
    tokens: list[str] | None = None,
) -> list[str]:
    """Word features of a comment (`analyze_clauses` of its clauses, in order), then its
    "!" and "?" marks."""
    if tokens is None:
        tokens = tokenize(text if normalized else normalize(text))
    features = [f for clause in analyze_clauses(clauses(tokens), language, mode) for f in clause]
    return features + [t for t in tokens if t == "!" or t == "?"]
