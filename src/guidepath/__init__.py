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
    from guidepath.answers.ask import ask
    from guidepath.answers.conversation import Conversation
    from guidepath.answers.models import Answer
    from guidepath.case import Case
    from guidepath.engine.calculators import Score, calculate
    from guidepath.engine.models import Assessment
    from guidepath.engine.necessity import Determination, check_necessity
    from guidepath.engine.pathway import evaluate
    from guidepath.errors import BadInput

__all__ = [
    "Answer",
    "Assessment",
    "BadInput",
    "Case",
    "Conversation",
    "Determination",
    "Score",
    "ask",
    "calculate",
    "check_necessity",
    "evaluate",
]

_HOMES = {
    "Answer": "guidepath.answers.models",
    "Assessment": "guidepath.engine.models",
    "BadInput": "guidepath.errors",
    "Case": "guidepath.case",
    "Conversation": "guidepath.answers.conversation",
    "Determination": "guidepath.engine.necessity",
    "Score": "guidepath.engine.calculators",
    "ask": "guidepath.answers.ask",
    "calculate": "guidepath.engine.calculators",
    "check_necessity": "guidepath.engine.necessity",
    "evaluate": "guidepath.engine.pathway",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'guidepath' has no attribute {name!r}")
