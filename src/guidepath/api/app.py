"""The FastAPI application: routers, error handlers and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from guidepath.api import errors
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
    errors.publish_error_shape(schema)
    app.openapi_schema = schema
    return schema


def _lifespan(app: FastAPI) -> Any:
    """Open the store (migrating it) unless one was given, and seed it when asked."""
    import os
    from contextlib import asynccontextmanager

    from guidepath.web.state import flag_after_pack_update, open_store, seed

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        if getattr(app.state, "store", None) is None:
            app.state.store = open_store()
        if os.environ.get("GUIDEPATH_SEED") == "1":
            seed(app.state.store)
        flag_after_pack_update(app.state.store)
        yield
        app.state.store.engine.dispose()

    return lifespan


def _install_pages(app: FastAPI) -> None:
    from importlib import resources

    from fastapi.staticfiles import StaticFiles
    from starlette.middleware.sessions import SessionMiddleware

    from guidepath.config import get_settings
    from guidepath.web import case_pages, editing, pages, review, tools
    from guidepath.web import errors as page_errors
    from guidepath.web.state import secret_key

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(),
        same_site="lax",
        https_only=get_settings().base_url().startswith("https"),
        session_cookie="guidepath_session",
    )
    for module in (
        pages,
        case_pages,
        tools,
        editing,
        review,
    ):  # editing's /review/new before /review/{id}
        app.include_router(module.router)
    static = resources.files("guidepath.web").joinpath("static")
    app.mount("/static/site", StaticFiles(directory=str(static)), name="site-assets")
    page_errors.install(app)


def _install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from files shipped in the fastapi-offline package: the API
    documentation works with no network (the default pages load their scripts from a CDN)."""
    from pathlib import Path

    import fastapi_offline
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/static/docs", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="guidepath API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/favicon.svg",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="guidepath API",
            redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/favicon.svg",
            with_google_fonts=False,
        )


def create_app(store: Any = None, fhir_client: Any = None) -> FastAPI:
    """A new application (tests make one per server, with their own store). ``fhir_client`` makes
    the HTTP client used to search an EHR's FHIR server (a callable returning an
    ``httpx.Client``; by default one with the configured timeout)."""
    from guidepath.api.guard import Guard
    from guidepath.api.security import check_configuration
    from guidepath.config import get_settings
    from guidepath.engine.compiled import compiled_pack

    check_configuration(get_settings())
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="guidepath",
        version=compiled_pack().pack.version,
        description="Guideline-backed decision support for SI joint pain, sacroiliitis and "
        "axial spondyloarthritis. Every recommendation cites its source.",
    )
    app.state.store = store
    app.state.fhir_client = fhir_client
    app.router.lifespan_context = _lifespan(app)
    errors.install(app)
    for module in (meta, evaluate, necessity, calculators, ask, cds):
        app.include_router(module.router)
    _install_pages(app)
    _install_docs(app)
    settings = get_settings()
    app.add_middleware(
        Guard, max_body_bytes=settings.max_body_bytes, body_timeout_s=settings.body_timeout_s
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
