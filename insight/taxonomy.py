"""The default label set (`../shared/taxonomy.md`) and the polarity vocabulary of labeled files."""

FACTORS: tuple[str, ...] = ("quality", "service", "convenience", "price", "emotion")
POLARITIES: tuple[str, ...] = ("positive", "negative", "mixed")

# Spellings of polarity values met in labeled files, mapped to one canonical word.
POLARITY_ALIASES: dict[str, str] = {
    "pos": "positive",
    "+": "positive",
    "positive": "positive",
    "neg": "negative",
    "-": "negative",
    "negative": "negative",
    "mix": "mixed",
    "mixed": "mixed",
    "both": "mixed",
    "conflict": "conflict",
    "neu": "neutral",
    "neutral": "neutral",
}

# Short signs for the compact `tags` column ("price-, service+").
POLARITY_SIGNS: dict[str, str] = {
    "positive": "+",
    "negative": "-",
    "mixed": "±",
    "neutral": "~",
    "conflict": "±",
}
