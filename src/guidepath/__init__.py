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
    from guidepath.engine.calculators import Score, calculate
    from guidepath.engine.models import Assessment
    from guidepath.engine.necessity import Determination, check_necessity
    from guidepath.engine.pathway import evaluate
    from guidepath.errors import BadInput

__all__ = [
    "Assessment",
    "BadInput",
    "Case",
    "Determination",
    "Score",
    "calculate",
    "check_necessity",
    "evaluate",
]

_HOMES = {
    "Assessment": "guidepath.engine.models",
    "BadInput": "guidepath.errors",
    "Case": "guidepath.case",
    "Determination": "guidepath.engine.necessity",
    "Score": "guidepath.engine.calculators",
    "calculate": "guidepath.engine.calculators",
    "check_necessity": "guidepath.engine.necessity",
    "evaluate": "guidepath.engine.pathway",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'guidepath' has no attribute {name!r}")
