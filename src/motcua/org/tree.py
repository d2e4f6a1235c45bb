"""The units tree, held in memory: subtrees and ancestors without recursive queries.

A province has about a thousand units; loading ``(id, parent_id)`` once is
cheaper than any recursive SQL and the same on SQLite and PostgreSQL. The
cache is dropped when a unit is saved or deleted in this process, and expires
after a minute so other worker processes see changes too.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

_TTL_SECONDS = 60
_lock = threading.Lock()
_state: dict = {"loaded_at": 0.0, "children": None, "parent": None}


def clear() -> None:
    with _lock:
        _state["loaded_at"], _state["children"], _state["parent"] = 0.0, None, None


def _load():
    with _lock:
        if _state["children"] is not None and time.monotonic() - _state["loaded_at"] < _TTL_SECONDS:
            return _state["children"], _state["parent"]
    from .models import Unit

    children, parent = defaultdict(list), {}
    for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
        parent[pk] = parent_id
        if parent_id is not None:
            children[parent_id].append(pk)
    with _lock:
        _state.update(loaded_at=time.monotonic(), children=dict(children), parent=parent)
    return _state["children"], _state["parent"]


def subtree_ids(unit_id: int) -> frozenset[int]:
    """The unit and every unit below it."""
    children, _parent = _load()
    seen, stack = {unit_id}, [unit_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return frozenset(seen)


def ancestor_ids(unit_id: int) -> list[int]:
    """The unit's parents, nearest first."""
    _children, parent = _load()
    chain, current = [], parent.get(unit_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = parent.get(current)
    return chain
