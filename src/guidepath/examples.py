"""Example bodies shared by the API documentation, the web forms and the CLI banner, taken from
the contract's first example (one home, so the api and web packages do not import each other)."""

from __future__ import annotations

from typing import Any

SAMPLE_QUESTION = (
    "What is the recommended treatment for a patient with sacroiliitis (M46.1) who has not "
    "responded to conservative treatment, with pain lasting over 1 month and intensity above 4/10?"
)
CASE_EXAMPLE: dict[str, Any] = {
    "patient": {"age": 41, "sex": "male"},
    "diagnoses": ["M46.1"],
    "pain": {"nrs": 6, "duration_weeks": 6, "inflammatory_back_pain": True, "radicular": False},
    "imaging": [
        {
            "modality": "mri",
            "region": "sij",
            "findings": ["bone_marrow_edema"],
            "laterality": "bilateral",
        }
    ],
    "labs": {"crp_mg_l": 12.0},
    "treatments": [
        {"type": "nsaid", "agent": "naproxen", "weeks": 4, "outcome": "inadequate"},
        {"type": "nsaid", "agent": "celecoxib", "weeks": 2, "outcome": "inadequate"},
    ],
    "conditions": [],
    "red_flags": [],
}
