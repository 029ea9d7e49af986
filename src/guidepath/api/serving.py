"""Serving the app: one process, or ``--workers N`` processes sharing one listening socket
(uvicorn's supervisor), on uvloop and httptools when installed.

uvicorn binds the shared socket itself and leaves its protocol number at 0; accepted sockets
inherit it and asyncio then never turns on TCP_NODELAY, so every keep-alive request after the
first waits on the client's delayed ACK (about 40 ms on Linux; uvicorn issue 3149). The listener
is rebuilt here with ``IPPROTO_TCP`` so multi-worker serving keeps TCP_NODELAY.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import threading

import uvicorn

APP = "guidepath.api.app:create_app"


class NoDelayConfig(uvicorn.Config):
    """A uvicorn Config whose shared listening socket reports IPPROTO_TCP."""

    def bind_socket(self) -> socket.socket:
        """uvicorn's socket, re-wrapped with the TCP protocol number."""
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


def _fastest(module: str, name: str) -> str:
    return name if importlib.util.find_spec(module) else "auto"


def _prepare_store() -> None:
    """Migrate, seed (when asked) and flag the store once, before worker processes start, so
    they do not race to do it; each worker then finds it ready."""
    from guidepath.web.state import flag_after_pack_update, open_store, seed

    store = open_store()
    try:
        if os.environ.get("GUIDEPATH_SEED") == "1":
            seed(store)
        flag_after_pack_update(store)
    finally:
        store.engine.dispose()


def _warm_lookups() -> None:
    """Fill the ICD-10-CM look-up list of the case forms (its disk cache too) while the server
    starts, so the first /case page does not wait for simple-icd-10-cm to load."""
    from guidepath.web.case_form import diagnosis_suggestions

    with contextlib.suppress(Exception):  # only a warm-up: the page fills it on demand anyway
        diagnosis_suggestions()


def serve(host: str, port: int, workers: int = 1) -> None:
    """Serve the app until interrupted. Worker processes build their own app from the
    environment, so the host and port are passed to them there (JWT audiences use them)."""
    os.environ["GUIDEPATH_HOST"], os.environ["GUIDEPATH_PORT"] = host, str(port)
    threading.Thread(target=_warm_lookups, name="warm-lookups", daemon=True).start()
    config = NoDelayConfig(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop=_fastest("uvloop", "uvloop"),
        http=_fastest("httptools", "httptools"),
        log_level="warning",
    )
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        _prepare_store()
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
