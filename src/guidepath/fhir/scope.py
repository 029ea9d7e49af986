"""The relevance gate: guidepath answers for a record only when it is in scope.

In scope: an adult (the pack's minimum age; an unknown age does not exclude) whose record has an
SI joint, back pain or axSpA diagnosis (coded, or named when uncoded), a suspected one, or an SI
joint procedure. For orders, the order itself can bring the record into scope: an SI joint
procedure order always, a biologic order only for a patient in scope (a TNF inhibitor ordered for
Crohn's disease is not guidepath's question).
"""

from __future__ import annotations

from guidepath.fhir.reader import FhirReading
from guidepath.knowledge.loader import value_sets


def out_of_scope(reading: FhirReading, order_brings_scope: bool = False) -> str | None:
    """Why guidepath gives no advice for this record, or ``None`` when it is in scope."""
    min_age = value_sets().scope.min_age
    if reading.age is not None and reading.age < min_age:
        return f"the patient is under {min_age}; the encoded guidelines are for adults"
    if reading.scope or order_brings_scope:
        return None
    return "the record has no SI joint, back pain or axSpA diagnosis and no SI joint procedure"
