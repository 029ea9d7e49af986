"""Issue 14, sign-in: throttling by account and by client, the same work for unknown usernames,
bounded concurrent password hashing, and a sign-out that kills the session server-side."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher

from guidepath.api.app import create_app
from guidepath.config import get_settings
from guidepath.store import workflow as wf
from guidepath.web.state import DEMO_PASSWORD, Store, open_store, seed
from tests.api.conftest import running
from tests.api.test_web import csrf_of


@pytest.fixture()
def store(tmp_path: Any) -> Store:
    opened = open_store(f"sqlite:///{tmp_path / 'login.db'}")
    seed(opened)
    return opened


@pytest.fixture()
def site(store: Store) -> Iterator[str]:
    with running(create_app(store=store)) as url:
        yield url


def attempt(client: httpx.Client, username: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf": token})


def test_an_account_is_throttled_after_repeated_failures(site: str) -> None:
    limit = get_settings().login_max_failures_account
    with httpx.Client(base_url=site, timeout=30) as client:
        codes = [attempt(client, "reviewer", "wrong-password").status_code for _ in range(limit)]
        assert codes == [401] * limit
        # even the right password waits for the window to pass
        assert attempt(client, "reviewer", DEMO_PASSWORD).status_code == 429
    with httpx.Client(base_url=site, timeout=30) as other:  # another account is not locked
        assert attempt(other, "editor", DEMO_PASSWORD).status_code == 303


def test_a_client_is_throttled_across_account_names(site: str) -> None:
    settings = get_settings()
    limit = settings.login_max_failures_client
    with httpx.Client(base_url=site, timeout=30) as client:
        for n in range(limit):
            assert attempt(client, f"nobody-{n}", "wrong-password").status_code == 401
        assert attempt(client, "editor", DEMO_PASSWORD).status_code == 429


def test_unknown_usernames_take_as_long_as_known_ones(site: str) -> None:
    def timed(username: str) -> float:
        with httpx.Client(base_url=site, timeout=30) as client:
            token = csrf_of(client.get("/login").text)
            started = time.perf_counter()
            client.post(
                "/login", data={"username": username, "password": "wrong-pw", "csrf": token}
            )
            return time.perf_counter() - started

    known = statistics.median(timed("editor") for _ in range(3))
    unknown = statistics.median(timed(f"ghost-{n}") for n in range(3))
    assert unknown > known / 3, (known, unknown)


def test_signing_out_kills_a_copied_session_cookie(site: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as client:
        assert attempt(client, "reviewer", DEMO_PASSWORD).status_code == 303
        copied = dict(client.cookies)
        assert client.get("/review").status_code == 200
        token = csrf_of(client.get("/review").text)
        assert client.post("/logout", data={"csrf": token}).status_code == 303
    with httpx.Client(base_url=site, timeout=30, cookies=copied) as thief:
        response = thief.get("/review")
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_password_checks_run_at_most_two_at_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 takes ~64 MiB a check: eight sign-ins at once never run more than two checks."""
    running_now, peak = 0, 0
    lock = threading.Lock()

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            nonlocal running_now, peak
            with lock:
                running_now += 1
                peak = max(peak, running_now)
            try:
                return super().verify(hash, password)
            finally:
                with lock:
                    running_now -= 1

    monkeypatch.setattr(wf, "HASHER", CountingHasher())

    def sign_in(_: int) -> bool:
        with store.sessions() as session:
            return wf.authenticate(session, username="editor", password=DEMO_PASSWORD) is not None

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(sign_in, range(8)))
    assert all(results) and peak == 2
