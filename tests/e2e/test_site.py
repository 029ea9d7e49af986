"""Issue 12 in the browser: the case form field by field, every calculator, the activity chart,
the necessity page, editing through review to the public page, rejected articles gone, and
axe-core on every page."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import Browser, Page

from guidepath.web.state import DEMO_PASSWORD
from tests.e2e.site_tour import AXE, PUBLIC_PAGES, serious_violations, sign_in


def test_fill_the_case_form_field_by_field(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/case")
    p.locator("#f-diagnoses-0").fill("M45.9")
    p.get_by_label("Pain intensity").fill("7")
    p.get_by_label("Pain duration").fill("30")
    p.get_by_role("group", name="Inflammatory back pain").get_by_label("Yes").check()
    p.get_by_label("CRP (mg/L)").fill("14")
    for row, agent in enumerate(("naproxen", "diclofenac")):
        p.locator(f"#f-treatments-{row}-type").select_option("nsaid")
        p.locator(f"#f-treatments-{row}-agent").fill(agent)
        p.locator(f"#f-treatments-{row}-weeks").fill("4")
        p.locator(f"#f-treatments-{row}-outcome").select_option("inadequate")
    p.get_by_role("button", name="Evaluate", exact=True).click()
    result = p.get_by_test_id("result").inner_text()
    assert "TNF inhibitor" in result
    # Unknown stays unknown: nothing untouched was sent as "no".
    case = p.get_by_label("Case (JSON)").input_value()
    assert '"conditions"' not in case and '"red_flags"' not in case
    assert '"provocation_tests"' not in case and '"hla_b27"' not in case
    # What was entered is still in the form.
    assert p.locator("#f-treatments-1-agent").input_value() == "diclofenac"


def test_a_wrong_field_is_shown_beside_it(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/case")
    p.get_by_label("Pain intensity").fill("14")
    p.locator("#f-diagnoses-0").fill("ZZZ.99")
    p.get_by_role("button", name="Evaluate", exact=True).click()
    assert "less than or equal to 10" in p.locator("#err-pain-nrs").inner_text()
    assert "not a valid ICD-10-CM code" in p.locator("#err-diagnoses-0").inner_text()
    assert p.get_by_label("Pain intensity").input_value() == "14"


def test_add_a_treatment_row(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/case")
    rows = p.locator("select[name$='.type']").count()
    p.get_by_role("button", name="Add a treatment").click()
    assert p.locator("select[name$='.type']").count() == rows + 1


def _asdas_crp(back: float, stiff: float, glob: float, peripheral: float, crp: float) -> float:
    """The published ASDAS-CRP formula (Lukas 2009), written out here independently."""
    return (
        0.121 * back
        + 0.058 * stiff
        + 0.110 * glob
        + 0.073 * peripheral
        + 0.579 * math.log(max(crp, 2) + 1)
    )


def _score(p: Page) -> float:
    text = p.get_by_test_id("score").inner_text()
    match = re.search(r": ([\d.]+)", text)
    assert match, text
    return float(match.group(1))


def test_each_calculator(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/calculators?name=basdai")
    assert "Q1. Overall level of fatigue" in p.locator("form").first.inner_text()
    for n, value in enumerate((6, 5, 2, 3, 7, 4)):
        p.locator("input[type=number]").nth(n).fill(str(value))
    p.get_by_role("button", name="Calculate").click()
    assert _score(p) == pytest.approx((6 + 5 + 2 + 3 + (7 + 4) / 2) / 5, abs=0.01)

    p.get_by_role("link", name="ASDAS-CRP (Ankylosing").click()
    assert "ln(CRP + 1)" in p.get_by_test_id("formula").inner_text()
    assert "below 1.3" in p.get_by_test_id("interpretation").inner_text()
    for n, value in enumerate((6, 5, 6, 2, 12)):
        p.locator("input[type=number]").nth(n).fill(str(value))
    p.get_by_role("button", name="Calculate").click()
    assert _score(p) == pytest.approx(_asdas_crp(6, 5, 6, 2, 12), abs=0.01)
    assert "high disease activity" in p.get_by_test_id("score").inner_text()

    p.get_by_role("link", name="ASDAS-ESR (Ankylosing").click()
    for n, value in enumerate((4, 4, 4, 4, 25)):
        p.locator("input[type=number]").nth(n).fill(str(value))
    p.get_by_role("button", name="Calculate").click()
    expected = 0.079 * 4 + 0.069 * 4 + 0.113 * 4 + 0.086 * 4 + 0.293 * math.sqrt(25)
    assert _score(p) == pytest.approx(expected, abs=0.01)

    p.get_by_role("link", name="BASFI (Bath").click()
    for n in range(10):
        p.locator("input[type=number]").nth(n).fill(str(n))
    p.get_by_role("button", name="Calculate").click()
    assert _score(p) == pytest.approx(sum(range(10)) / 10, abs=0.01)

    p.get_by_role("link", name="SI joint provocation cluster").click()
    for test in ("Distraction", "Thigh thrust", "Compression"):
        p.get_by_role("group", name=test, exact=True).get_by_label("Positive").check()
    p.get_by_role("group", name="Sacral thrust", exact=True).get_by_label("Negative").check()
    p.get_by_role("button", name="Calculate").click()
    assert _score(p) == 3 and "positive" in p.get_by_test_id("score").inner_text()

    p.get_by_role("link", name="ASAS classification").click()
    p.get_by_label("Back pain duration").fill("24")
    p.get_by_label("Age when the back pain began").fill("28")
    p.get_by_role("group", name="Sacroiliitis on imaging").get_by_label("Yes").check()
    p.get_by_label("Inflammatory back pain").check()
    p.get_by_role("button", name="Calculate").click()
    assert "imaging arm" in p.get_by_test_id("score").inner_text()


def test_an_empty_calculator_item_is_named(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/calculators?name=basdai")
    p.get_by_role("button", name="Calculate").click()
    assert "fatigue: is required" in p.get_by_test_id("errors").inner_text()


def test_chart_of_dated_asdas_values(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/calculators?name=asdas_crp")
    for n, (day, value) in enumerate(
        (("2026-01-10", 3.8), ("2026-04-12", 1.6), ("2026-07-15", 1.2))
    ):
        p.locator(f"#s-{n}-date").fill(day)
        p.locator(f"#s-{n}-value").fill(str(value))
    p.get_by_role("button", name="Draw the chart").click()
    chart = p.get_by_test_id("chart")
    assert chart.locator("svg circle").count() == 3
    assert chart.locator("svg line").count() == 3  # the cut-offs 1.3, 2.1, 3.5
    table = p.get_by_test_id("series").inner_text()
    assert "major improvement" in table  # 3.8 → 1.6: a fall of 2.2
    assert "no important improvement" in table  # 1.6 → 1.2: a fall of 0.4


def test_necessity_page_shows_criteria_citations_and_letter(site: str, page: Page) -> None:
    p = page
    p.goto(f"{site}/necessity?procedure=rfa_lateral_branch")
    p.locator("#f-diagnoses-0").fill("M53.3")
    p.locator("#f-treatments-0-type").select_option("sij_injection")
    p.locator("#f-treatments-0-purpose").select_option("diagnostic")
    p.locator("#f-treatments-0-relief_pct").fill("80")
    p.get_by_role("button", name="Check criteria", exact=True).click()
    result = p.get_by_test_id("result")
    assert "Radiofrequency" in result.get_by_test_id("determination").inner_text()
    assert result.locator("sup a").count() >= 1
    assert "Request for prior authorization" in p.get_by_test_id("letter").input_value()


def signed_in(browser: Browser, site: str, username: str) -> Page:
    """A fresh browser session signed in as a demo user."""
    page = browser.new_context().new_page()
    sign_in(page, site, username, DEMO_PASSWORD)
    return page


def test_edit_review_diff_approve_then_public(site: str, browser: Browser) -> None:
    editor = signed_in(browser, site, "editor")
    editor.goto(f"{site}/review")
    editor.get_by_role("link", name="What is the appropriate management for a patient").click()
    editor.get_by_test_id("edit").click()
    editor.get_by_label("Title").fill("Bilateral SI joint sclerosis: image first, then treat")
    editor.get_by_label("Note for the reviewer").fill("title says what to do")
    editor.get_by_role("button", name="Save as a new revision").click()
    assert "back in review" in editor.locator("main").inner_text()
    article_url = editor.url.split("?")[0]

    reviewer = signed_in(browser, site, "reviewer")
    reviewer.goto(article_url)
    diff = reviewer.get_by_test_id("diff").inner_text()
    assert "+ # Bilateral SI joint sclerosis: image first, then treat" in diff
    assert "title says what to do" in diff
    reviewer.get_by_role("button", name="Start review").click()
    reviewer.get_by_role("button", name="Approve").click()
    assert "Approved" in reviewer.get_by_test_id("status").inner_text()
    reviewer.get_by_role("link", name="public page").click()
    public_url = reviewer.url

    anonymous = browser.new_context().new_page()
    anonymous.goto(public_url)
    assert "image first, then treat" in anonymous.get_by_role("heading", level=1).inner_text()
    assert "Medically reviewed by reviewer" in anonymous.get_by_test_id("approval").inner_text()


def test_rejected_articles_are_404_to_the_public(site: str, browser: Browser) -> None:
    reviewer = signed_in(browser, site, "reviewer")
    reviewer.goto(f"{site}/review")
    reviewer.get_by_role("link", name="Sacroiliac Joint Interventional Pain Management").click()
    reviewer.get_by_role("button", name="Start review").click()
    reviewer.get_by_label("Comment").fill("Not our scope as written")
    reviewer.get_by_role("button", name="Reject").click()
    assert "Rejected" in reviewer.get_by_test_id("status").inner_text()
    reviewer.get_by_role("link", name="public page").click()
    url = reviewer.url
    anonymous = browser.new_context().new_page()
    response = anonymous.goto(url)
    assert response is not None and response.status == 404
    assert "Page not found" in anonymous.get_by_role("heading", level=1).inner_text()
    anonymous.goto(f"{site}/articles")
    assert (
        "Sacroiliac Joint Interventional Pain Management"
        not in anonymous.locator("main").inner_text()
    )


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (scripts/test-services.sh)")
def test_public_pages_have_no_serious_accessibility_violations(site: str, browser: Browser) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found = {}
    for name, path in PUBLIC_PAGES.items():
        if "{slug}" in path:
            continue
        page.goto(site + path)
        problems = serious_violations(page)
        if problems:
            found[name] = problems
    context.close()
    assert found == {}
