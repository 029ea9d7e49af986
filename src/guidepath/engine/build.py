"""Fast construction of output models from values the engine itself made.

``Model.model_construct`` spends most of its time resolving defaults and aliases; the engine always
supplies every field with the right type, so it can fill the instance directly. Tests check that
every output built this way round-trips through full validation unchanged.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

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
