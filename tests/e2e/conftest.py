"""Browser test fixtures: a seeded site on loopback and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.api.conftest import site, store  # noqa: F401 - the seeded site, shared with the API tests
from tests.e2e.site_tour import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests need Debian's Chromium (scripts/test-services.sh installs it)."""
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason="Debian chromium not installed (scripts/test-services.sh)")
        for item in items:
            if "tests/e2e" in str(item.fspath):
                item.add_marker(skip)
