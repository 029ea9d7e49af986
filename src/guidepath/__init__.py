"""guidepath: guideline-backed clinical decision support for sacroiliac joint pain, sacroiliitis
and axial spondyloarthritis.

Public API (each name is imported lazily, so ``import guidepath`` stays cheap)::

    from guidepath import evaluate
    assessment = evaluate({"diagnoses": ["M46.1"], "pain": {"nrs": 6}})
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guidepath.case import Case
    from guidepath.engine.models import Assessment
    from guidepath.engine.pathway import evaluate
    from guidepath.errors import BadInput

__all__ = ["Assessment", "BadInput", "Case", "evaluate"]

_HOMES = {
    "Assessment": "guidepath.engine.models",
    "BadInput": "guidepath.errors",
    "Case": "guidepath.case",
    "evaluate": "guidepath.engine.pathway",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'guidepath' has no attribute {name!r}")
