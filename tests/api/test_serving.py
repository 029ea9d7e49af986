"""``guidepath serve --workers N``: the shared listening socket keeps TCP_NODELAY for accepted
connections (uvicorn issue 3149), and several workers serve the same port."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from guidepath.api.serving import APP, NoDelayConfig
from tests.api.conftest import free_port


def test_the_shared_socket_reports_tcp_so_accepted_sockets_get_nodelay() -> None:
    config = NoDelayConfig(APP, factory=True, host="127.0.0.1", port=free_port(), workers=2)
    listener = config.bind_socket()
    try:
        assert listener.proto == socket.IPPROTO_TCP
        listener.listen()  # the server calls listen() when it starts
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        assert accepted.proto == socket.IPPROTO_TCP  # what asyncio checks before TCP_NODELAY
        accepted.close()
        client.close()
    finally:
        listener.close()


def test_two_workers_serve_keep_alive_requests(tmp_path: Path) -> None:
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    assert command
    port = free_port()
    environment = {**os.environ, "GUIDEPATH_DATA_DIR": str(tmp_path), "GUIDEPATH_DATABASE_URL": ""}
    server = subprocess.Popen(
        [command, "serve", "--workers", "2", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        statuses = []
        for _ in range(10):
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            connection.request("GET", "/healthz")
        connection.getresponse().read()
        assert statuses == [200] * 10
    finally:
        server.terminate()
        server.wait(timeout=30)
