"""Build the letter-trigram counts that tell short Latin-script comments apart by language.

Function words decide most comments, but a short answer often has none ("dobry produkt",
"brak uwag", "easy to use website"), and a word both languages share ("to", "no") can tip it
the wrong way. Counts of letter trigrams per language, from the Latin-script comments of the
corpus's train split (English, Polish and transliterated Russian), give `insight.text` a
naive-Bayes guess for those. Deterministic: the same corpus gives the same file.

    python -m training.language_table          # writes insight/resources/latin_trigrams.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from insight.labeled import read_labeled
from insight.text import LANGUAGES, latin_trigrams, latin_words, normalize, tokenize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus.csv"
OUT = ROOT / "insight" / "resources" / "latin_trigrams.json"


def count_trigrams(texts: list[str], languages: list[str]) -> dict[str, dict[str, int]]:
    """Per language, how often each letter trigram occurs in its Latin-script words.

    >>> count_trigrams(["ok", "да ok", "tak"], ["en", "ru", "pl"])["pl"]
    {' ta': 1, 'ak ': 1, 'tak': 1}
    """
    counts: dict[str, Counter[str]] = {language: Counter() for language in LANGUAGES}
    for text, language in zip(texts, languages, strict=True):
        if language in counts:
            counts[language].update(latin_trigrams(latin_words(tokenize(normalize(text)))))
    return {language: dict(sorted(c.items())) for language, c in counts.items()}


def build(corpus: Path = CORPUS, out: Path = OUT) -> dict[str, dict[str, int]]:
    data = read_labeled(corpus)
    if data.splits is None or data.languages is None:
        raise SystemExit(f"{corpus}: needs its split and lang columns")
    keep = [split == "train" for split in data.splits]
    train = data.subset(keep)
    assert train.languages is not None
    table = count_trigrams(train.texts, train.languages)
    out.write_text(json.dumps(table, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    table = build(args.corpus, args.out)
    sizes = ", ".join(f"{k} {sum(v.values()):,} ({len(v):,} distinct)" for k, v in table.items())
    print(f"wrote {args.out}: trigrams {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
