"""End to end in Debian's Chromium (headless, driven by Playwright) against a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from guidepath.web.state import DEMO_PASSWORD

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def test_ask_switch_audience_and_follow_a_citation(site: str, page: Page) -> None:
    p = page
    p.goto(site)
    p.get_by_label("Your question").fill(
        "Ankylosing spondylitis, naproxen then diclofenac failed over 6 weeks, pain 7/10. Next?"
    )
    p.get_by_role("button", name="Ask").click()
    heading = p.get_by_role("heading", level=1)
    assert "TNF inhibitor" in heading.inner_text()
    assert "TNF inhibitor" in p.locator(".bottom-line").inner_text()
    p.get_by_role("link", name="Patient or caregiver").click()
    assert "TNF-blocker" in p.locator(".bottom-line").inner_text()
    p.get_by_role("link", name="Reference 1").first.click()
    assert p.url.endswith("#ref-1")
    assert p.locator("#ref-1").is_visible()


def test_follow_up_refines_the_case(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/answer?q=Ankylosing+spondylitis%2C+failed+naproxen+for+6+weeks%2C+pain+7%2F10")
    p.get_by_label("Follow-up question").fill("What if he also has Crohn's disease?")
    p.get_by_role("button", name="Ask a follow-up").click()
    assert "etanercept" in p.locator("main").inner_text().lower()


def test_article_page_screenshot(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/articles?q=sacroiliitis+conservative+treatment")
    p.locator("main li a").first.click()
    assert "Submitted" in p.get_by_test_id("status").inner_text()
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "article-page.png"
    p.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_submit_a_case_as_json(site: str, page: Page) -> None:
    """The advanced JSON box still works, and its errors name the field."""
    p = page
    p.goto(f"{site}/case?example=1")
    p.get_by_text("Advanced: the case as JSON").click()
    p.get_by_role("button", name="Evaluate from JSON").click()
    assert "Active axial disease despite NSAIDs" in p.get_by_test_id("result").inner_text()
    assert p.locator("details.advanced").get_attribute("open") is not None  # stays open
    p.get_by_label("Case (JSON)").fill('{"pain": {"nrs": 14}}')
    p.get_by_role("button", name="Evaluate from JSON").click()
    assert "pain.nrs" in p.get_by_test_id("errors").inner_text()


def test_reviewer_takes_an_article_from_submitted_to_approved(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/review")
    assert p.url.endswith("/login")
    p.get_by_label("Username").fill("reviewer")
    p.get_by_label("Password").fill(DEMO_PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    assert "Review dashboard" in p.get_by_role("heading", level=1).inner_text()
    p.get_by_role("link", name="Are SI joint procedures safe?").click()
    p.get_by_role("button", name="Start review").click()
    assert "Under review" in p.get_by_test_id("status").inner_text()
    p.get_by_role("button", name="Approve").click()
    assert "Approved" in p.get_by_test_id("status").inner_text()
    p.get_by_role("link", name="public page").click()
    assert "Approved" in p.get_by_test_id("status").inner_text()


def test_wrong_password_is_refused(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/login")
    p.get_by_label("Username").fill("reviewer")
    p.get_by_label("Password").fill("not-the-password")
    p.get_by_role("button", name="Sign in").click()
    assert "Wrong username or password" in p.get_by_role("alert").inner_text()


def test_api_docs_render_offline(site: str, page: Page) -> None:
    """Swagger UI and ReDoc come from local files: with every request off this server refused,
    the operations still render (the default pages load from a CDN and stay blank offline)."""
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(site):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/docs")
    page.wait_for_selector(".opblock-summary", timeout=20_000)
    assert page.locator(".opblock-summary").count() >= 5
    page.goto(f"{site}/redoc")
    page.wait_for_selector(
        "text=Evaluate a case against the care pathway", state="attached", timeout=20_000
    )
    assert outside == []
    # ReDoc's "powered by" logo is an image on its CDN: blocked by the policy, nothing else is
    assert not [e for e in errors if "Content Security Policy" in e and "image" not in e]
