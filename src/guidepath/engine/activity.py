"""Disease activity of a case: ASDAS and BASDAI as recorded, or computed from their items, and
the ASDAS improvement against a baseline (Machado 2011: ≥1.1 clinically important, ≥2.0 major).

Example: ``scores.asdas_items`` with ``labs.crp_mg_l`` gives ASDAS-CRP; with a baseline of 3.8 and
a current 2.5, the improvement is ``clinically_important_improvement``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from guidepath.case import Case
from guidepath.engine.calculators import (
    AsdasCrpInputs,
    AsdasEsrInputs,
    BasdaiInputs,
    asdas_crp_value,
    asdas_esr_value,
    asdas_improvement,
    asdas_state,
    basdai_value,
)


class Activity(BaseModel):
    """Disease activity for the Assessment (an addition to the contract)."""

    model_config = ConfigDict(extra="forbid")

    asdas: float | None = None
    asdas_source: str | None = None
    state: str | None = None
    basdai: float | None = None
    asdas_baseline: float | None = None
    improvement: str | None = None


def _computed_asdas(case: Case) -> tuple[float | None, str | None]:
    scores, labs = case.scores, case.labs
    items = scores.asdas_items if scores else None
    if items is None or labs is None:
        return None, None
    if labs.crp_mg_l is not None:
        value = asdas_crp_value(AsdasCrpInputs(**items.model_dump(), crp_mg_l=labs.crp_mg_l))
        return round(value, 2), "computed ASDAS-CRP"
    if labs.esr_mm_h is not None:
        value = asdas_esr_value(AsdasEsrInputs(**items.model_dump(), esr_mm_h=labs.esr_mm_h))
        return round(value, 2), "computed ASDAS-ESR"
    return None, None


def summarize_activity(case: Case) -> Activity | None:
    """The case's disease activity, or ``None`` when no score or items were recorded."""
    scores = case.scores
    if scores is None:
        return None
    asdas, source = scores.asdas_crp, "ASDAS-CRP" if scores.asdas_crp is not None else None
    if asdas is None and scores.asdas_esr is not None:
        asdas, source = scores.asdas_esr, "ASDAS-ESR"
    if asdas is None:
        asdas, source = _computed_asdas(case)
    basdai = scores.basdai
    if basdai is None and scores.basdai_items is not None:
        basdai = round(basdai_value(BasdaiInputs(**scores.basdai_items.model_dump())), 2)
    improvement = None
    if asdas is not None and scores.asdas_baseline is not None:
        improvement = asdas_improvement(scores.asdas_baseline, asdas)
    return Activity(
        asdas=asdas,
        asdas_source=source,
        state=None if asdas is None else asdas_state(asdas),
        basdai=basdai,
        asdas_baseline=scores.asdas_baseline,
        improvement=improvement,
    )
