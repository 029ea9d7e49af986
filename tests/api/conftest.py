"""Real uvicorn servers on free loopback ports: guidepath itself, and stand-ins for the outside
world (an EHR's FHIR server, its JWKS endpoint) built as small FastAPI apps."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from guidepath.api.app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve an ASGI app on loopback for the duration of the block; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A seeded SQLite store (demo users and seed articles), one per test module."""
    from guidepath.web.state import open_store, seed

    opened = open_store(f"sqlite:///{tmp_path_factory.mktemp('site') / 'site.db'}")
    seed(opened)
    return opened


@pytest.fixture(scope="module")
def site(store: Any) -> Iterator[str]:
    """The site and API over :func:`store`, on a loopback port."""
    with running(create_app(store=store)) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from guidepath.config import get_settings

    settings = get_settings()
    settings.data_dir = str(tmp_path_factory.mktemp("data"))
    with running(create_app()) as url:
        settings.public_url = url  # card links and the JWT audience (never the Host header)
        yield url
    settings.public_url = ""


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


@contextmanager
def fhir_fetch_allowed(base: str, deadline_s: float = 10.0) -> Iterator[None]:
    """Let the service search the FHIR server at ``base`` (a loopback stand-in, so private
    addresses are allowed too), with a deadline roomy enough for a loaded test machine."""
    from guidepath.config import get_settings

    settings = get_settings()
    saved = (
        settings.cds_fhir_servers,
        settings.cds_fhir_allow_private,
        settings.cds_fetch_deadline_s,
    )
    settings.cds_fhir_servers = [base]
    settings.cds_fhir_allow_private = True
    settings.cds_fetch_deadline_s = deadline_s
    try:
        yield
    finally:
        (
            settings.cds_fhir_servers,
            settings.cds_fhir_allow_private,
            settings.cds_fetch_deadline_s,
        ) = saved
