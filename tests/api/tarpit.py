"""A tarpit "FHIR server" for tests and the reliability suite: it accepts connections and then
dribbles one byte a second, forever (the slowest kind of server a CDS service can be sent to)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def tarpit() -> Iterator[str]:
    """Serve the tarpit on loopback for the block; yields its ``/fhir`` base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    stop = threading.Event()

    def dribble(connection: socket.socket) -> None:
        with connection:
            while not stop.is_set():
                try:
                    connection.sendall(b"H")
                except OSError:
                    return
                stop.wait(1.0)

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=dribble, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/fhir"
    finally:
        stop.set()
        listener.close()
