"""Every page of the site, for screenshots and accessibility checks.

``python -m tests.e2e.site_tour [OUT]`` (``make screenshots``) serves a seeded site on loopback,
opens each page in Debian's Chromium at 1280 and 390 px wide, saves full-page screenshots to OUT
(default ``screenshots/``) and runs axe-core (npm package, installed under ``.tools/``) on each;
it prints the violations and exits 1 if any is serious or critical. The browser tests call
:func:`serious_violations` on the same pages.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (1280, 390)
PUBLIC_PAGES = {
    "home": "/",
    "articles": "/articles",
    "article": "/articles/{slug}",
    "article-patient": "/articles/{slug}?audience=patient",
    "answer": "/answer?q=Ankylosing+spondylitis+two+NSAIDs+failed+over+6+weeks&fresh=1",
    "case": "/case?example=1",
    "necessity": "/necessity?procedure=rfa_lateral_branch&example=1",
    "calculators": "/calculators?name=asdas_crp",
    "calculator-asas": "/calculators?name=asas_axspa",
    "login": "/login",
    "not-found": "/articles/no-such-article",
}
EDITOR_PAGES = {
    "review": "/review",
    "review-article": "/review/{id}",
    "edit": "/review/{id}/edit",
    "new-article": "/review/new",
    "audit": "/audit",
}


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the open page, one line each."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page: Any, site: str, username: str, password: str) -> None:
    """Sign in through the form."""
    page.goto(f"{site}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def visit_all(
    browser: Any,
    site: str,
    slug: str,
    article_id: int,
    password: str,
    each: Callable[[Any, str, int], None],
) -> None:
    """Open every page at each width (public pages signed out, editor pages as the editor) and
    call ``each(page, name, width)``."""
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        for name, path in PUBLIC_PAGES.items():
            page.goto(site + path.format(slug=slug))
            each(page, name, width)
        sign_in(page, site, "editor", password)
        for name, path in EDITOR_PAGES.items():
            page.goto(site + path.format(id=article_id))
            each(page, name, width)
        context.close()


def main(out: Path) -> int:
    """Screenshots and axe checks of every page; 1 if a serious violation was found."""
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select

    from guidepath.api.app import create_app
    from guidepath.store.models import Article
    from guidepath.web.state import DEMO_PASSWORD, open_store, seed
    from tests.api.conftest import running

    out.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as data:
        store = open_store(f"sqlite:///{data}/tour.db")
        seed(store)
        with store.sessions() as session:
            first = session.scalars(select(Article).order_by(Article.id)).first()
            assert first is not None
            slug, article_id = first.slug, first.id
        with running(create_app(store=store)) as site, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

            def each(page: Any, name: str, width: int) -> None:
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
                problems = serious_violations(page)
                if problems:
                    found[f"{name}-{width}"] = problems

            visit_all(browser, site, slug, article_id, DEMO_PASSWORD, each)
            browser.close()
    print(json.dumps({"screenshots": str(out), "serious_violations": found}, indent=2))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"))
