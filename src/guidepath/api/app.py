"""The FastAPI application: routers, error handlers and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from guidepath.api import errors
from guidepath.api.examples import SAMPLE_QUESTION
from guidepath.api.routes import ask, calculators, cds, evaluate, meta, necessity
from guidepath.case import Case


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(
        title=app.title, version=app.version, routes=app.routes, description=app.description
    )
    case_schema = Case.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(case_schema.pop("$defs", {}))
    components["Case"] = case_schema
    app.openapi_schema = schema
    return schema


def create_app() -> FastAPI:
    """A new application (tests make one per server)."""
    from guidepath.engine.compiled import compiled_pack

    app = FastAPI(
        title="guidepath",
        version=compiled_pack().pack.version,
        description="Guideline-backed decision support for SI joint pain, sacroiliitis and "
        "axial spondyloarthritis. Every recommendation cites its source.",
    )
    errors.install(app)
    for module in (meta, evaluate, necessity, calculators, ask, cds):
        app.include_router(module.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        from urllib.parse import urlencode

        return RedirectResponse(
            "/v1/ask?" + urlencode({"question": SAMPLE_QUESTION, "format": "html"})
        )

    return app
