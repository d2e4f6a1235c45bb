"""An explicit flag around bulk writes (imports): per-change subscribers stay out of them.

The importer writes thousands of rows in one transaction; reacting to each (the live 766
recompute, citizens' notifications) would be wrong and slow: imported dossiers reach the scores
through the periodic full recompute and the portal through ``motcua portal enqueue``. Subscribers
ask :func:`in_bulk_write` instead of guessing from the audit source's text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_current: ContextVar[str | None] = ContextVar("motcua_bulk_write", default=None)


@contextlib.contextmanager
def bulk_write(name: str) -> Iterator[None]:
    """Mark the block as a bulk write named ``name`` (e.g. ``import:<run id>``)."""
    token = _current.set(name)
    try:
        yield
    finally:
        _current.reset(token)


def in_bulk_write() -> bool:
    """Is the current code running inside :func:`bulk_write`?"""
    return _current.get() is not None
