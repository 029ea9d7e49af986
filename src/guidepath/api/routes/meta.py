"""GET /healthz and GET /v1/knowledge (pack version, sources, action words, procedures)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guidepath.api.guard import JsonRoute
from guidepath.engine.calculators import CALCULATORS
from guidepath.engine.compiled import compiled_pack
from guidepath.vocabulary import AVOID_ONLY_ACTIONS, RECOMMEND_ACTIONS

router = APIRouter(route_class=JsonRoute, tags=["meta"])


@router.get("/healthz", summary="Liveness and the loaded pack")
def healthz() -> dict[str, str]:
    """``ok`` with the knowledge pack version."""
    return {"status": "ok", "pack_version": compiled_pack().pack.version}


@router.get("/v1/knowledge", summary="The knowledge pack: version, sources, vocabulary")
def knowledge() -> dict[str, Any]:
    """What the service knows and cites."""
    pack = compiled_pack().pack
    return {
        "pack": pack.pack,
        "version": pack.version,
        "title": pack.title,
        "sources": [s.model_dump() for s in pack.sources.values()],
        "actions": {
            "recommend": sorted(RECOMMEND_ACTIONS),
            "avoid_only": sorted(AVOID_ONLY_ACTIONS),
        },
        "procedures": sorted(pack.procedures),
        "calculators": sorted(CALCULATORS),
        "recommendations": len(pack.recommendations),
        "stages": len(pack.pathway.stages),
    }
