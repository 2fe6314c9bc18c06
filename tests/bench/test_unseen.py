"""The held-out-industries split behind `python -m bench --only unseen`."""

import doctest

import bench.__main__ as bench_main
from bench.__main__ import unseen_split

ROWS = [("a", "bank"), ("b", "zoo"), ("c", "zoo"), ("d", "bank"), ("e", "bank")]
SPLITS = ["train", "train", "dev", "train", "dev"]


def test_doctests() -> None:
    assert doctest.testmod(bench_main, raise_on_error=False).failed == 0


def test_a_wave_of_voices_only_is_passed_over_for_the_last_that_brought_industries() -> None:
    waves = {"wave 1": {"b", "c"}, "wave 2": {"d", "e"}}  # wave 2 adds bank rows only
    name, unseen, in_train, held = unseen_split(ROWS, SPLITS, waves)
    assert (name, unseen) == ("wave 1", {"zoo"})
    assert in_train == [True, False, False, True, False]
    assert held == [False, True, True, False, False]


def test_rows_of_known_industries_in_the_wave_are_on_neither_side() -> None:
    waves = {"wave 1": {"b", "c", "d"}}  # d is a bank row, and banks are not new
    _, unseen, in_train, held = unseen_split(ROWS, SPLITS, waves)
    assert unseen == {"zoo"}
    assert not in_train[3] and not held[3]
