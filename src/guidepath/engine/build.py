"""Fast construction of output models from values the engine itself made.

``Model.model_construct`` spends most of its time resolving defaults and aliases; the engine always
supplies every field with the right type, so it can fill the instance directly. Tests check that
every output built this way round-trips through full validation unchanged.

Items that are a pure function of a few pack values (a rule in a role with its reasons, a missing
field with its reason) are made once and shared by every assessment that contains them
(:class:`SharedItems`); their models are frozen, as the pack's own references and warnings are.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_set = object.__setattr__
_new = object.__new__
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def _fields_set(cls: type[BaseModel]) -> set[str]:
    """One set of field names per class, shared by its trusted instances: every field is set,
    and pydantic only ever adds to it a name already there (assignment) or copies it."""
    found = _FIELDS_SET.get(cls)
    if found is None:
        found = _FIELDS_SET[cls] = set(cls.model_fields)
    return found


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` holding ``values`` (every field, engine-made, not re-validated)."""
    instance = _new(cls)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", _FIELDS_SET.get(cls) or _fields_set(cls))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


class SharedItems:
    """Output items made once per key and shared (a flyweight cache), bounded in size.

    An assessment is mostly the same few items in different combinations: building each one anew
    was a third of ``evaluate`` and most of the objects a batch keeps alive for the garbage
    collector to scan. The key must name everything the item holds.
    """

    def __init__(self, limit: int = 8192) -> None:
        self.limit = limit
        self._items: dict[Hashable, Any] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The item for ``key``, made by ``make()`` the first time it is asked for."""
        item = self._items.get(key)
        if item is None:
            if len(self._items) >= self.limit:
                self._items.clear()  # a pack with more combinations than this: start again
            item = self._items[key] = make()
        return item

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        """Forget every item (the next request for each is made afresh)."""
        self._items.clear()
