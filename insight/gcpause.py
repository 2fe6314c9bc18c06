"""Pause Python's cyclic garbage collector around allocation-heavy batch work.

Tagging a chunk makes millions of short-lived lists, tuples and dicts and no reference
cycles, so reference counting frees all of it; the cyclic collector would only re-scan the
model's vocabularies and caches, over and over, for nothing (a quarter of the tagging time).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; restore it after, whatever happens.

    Nested and concurrent uses are safe: only the outermost block that found the collector
    on turns it back on, and a block that found it off leaves it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
