"""Issue 12's editorial pages over HTTP: editing wording into a reviewed revision, new articles,
the ask box finding stored articles, browsing by topic, HTML error pages and PDF export."""

from __future__ import annotations

import io
import re

import httpx
from pypdf import PdfReader
from sqlalchemy import select

from guidepath.store import workflow as wf
from guidepath.store.models import Article
from guidepath.web.state import SEED_QUESTIONS, Store
from tests.api.test_web import csrf_of, signed_in


def _article_id(store: Store, question: str) -> int:
    with store.sessions() as session:
        found = session.scalar(select(Article.id).where(Article.question == question))
        assert found is not None
        return found


def _form(html: str) -> dict[str, str]:
    """The edit form's fields as the page fills them."""
    fields = dict(re.findall(r'<input[^>]*name="(\w+)" value="([^"]*)"', html))
    for name, value in re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = value.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
    return fields


def test_editor_edits_wording_reviewer_sees_diff_then_approves(site: str, store: Store) -> None:
    article_id = _article_id(store, SEED_QUESTIONS[2])
    with signed_in(site, "editor") as editor:
        page = editor.get(f"/review/{article_id}/edit")
        assert page.status_code == 200
        assert "Computed now, for comparison" in page.text
        form = _form(page.text)
        form["title"] = "When SI joint injections do not help"
        form["section_0"] = form["section_0"] + "\nAsk about pain diaries before the next step. [1]"
        form["note"] = "clearer title"
        saved = editor.post(f"/review/{article_id}/edit", data=form, follow_redirects=False)
        assert saved.status_code == 303, saved.text
    with store.sessions() as session:
        article = wf.get_article(session, article_id=article_id)
        assert article.status == "submitted" and len(article.revisions) == 2
        assert article.answer["title"] == "When SI joint injections do not help"
    with signed_in(site, "reviewer") as reviewer:
        review = reviewer.get(f"/review/{article_id}")
        assert "<ins>+ # When SI joint injections do not help</ins>" in review.text
        assert "Ask about pain diaries before the next step." in review.text
        assert "clearer title" in review.text
        token, version = (
            csrf_of(review.text),
            re.search(r'name="version" value="(\d+)"', review.text),
        )
        assert version
        started = reviewer.post(
            f"/review/{article_id}", data={"action": "start", "version": version[1], "csrf": token}
        )
        version = re.search(r'name="version" value="(\d+)"', started.text)
        assert version
        reviewer.post(
            f"/review/{article_id}",
            data={"action": "approve", "version": version[1], "csrf": token, "comment": ""},
        )
    with store.sessions() as session:
        slug = wf.get_article(session, article_id=article_id).slug
    public = httpx.get(f"{site}/articles/{slug}", timeout=30)
    assert "When SI joint injections do not help" in public.text
    assert 'data-testid="approval"' in public.text


def test_an_edit_with_an_unknown_reference_keeps_what_was_typed(site: str, store: Store) -> None:
    article_id = _article_id(store, SEED_QUESTIONS[3])
    with signed_in(site, "editor") as editor:
        form = _form(editor.get(f"/review/{article_id}/edit").text)
        form["section_0"] = "A new statement citing nothing real. [99]"
        form["title"] = "My unsaved title"
        refused = editor.post(f"/review/{article_id}/edit", data=form)
    assert refused.status_code == 422
    assert "sections.0.0: reference 99 is not in the reference list" in refused.text
    assert "My unsaved title" in refused.text and "citing nothing real. [99]" in refused.text


def test_reviewers_cannot_edit_and_editors_cannot_edit_under_review(site: str) -> None:
    with signed_in(site, "reviewer") as reviewer:
        page = reviewer.get("/review/1/edit")
        assert "You cannot edit this article: only an editor" in page.text
        assert 'name="title"' not in page.text


def test_new_article_from_a_question(site: str, store: Store) -> None:
    question = "Is prolotherapy an option for SI joint pain?"
    with signed_in(site, "editor") as editor:
        token = csrf_of(editor.get("/review/new").text)
        empty = editor.post("/review/new", data={"question": " ", "csrf": token})
        assert empty.status_code == 422 and "question: must not be empty" in empty.text
        made = editor.post(
            "/review/new",
            data={"question": question, "audience": "patient", "csrf": token},
            follow_redirects=False,
        )
        assert made.status_code == 303
    with store.sessions() as session:
        article = session.scalar(select(Article).where(Article.question == question))
        assert article is not None and article.status == "submitted"
        assert article.audience == "patient"


def test_the_ask_box_finds_the_stored_article_first(site: str, store: Store) -> None:
    response = httpx.get(
        f"{site}/answer",
        params={"q": "What happens if SI joint injections do not work?"},
        timeout=30,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/articles/")
    page = httpx.get(site + response.headers["location"], timeout=30)
    assert 'data-testid="matched"' in page.text and "fresh=1" in page.text
    fresh = httpx.get(
        f"{site}/answer",
        params={"q": "What happens if SI joint injections do not work?", "fresh": "1"},
        timeout=30,
    )
    assert fresh.status_code == 200 and "Computed now, not yet reviewed" in fresh.text


def test_articles_are_browsed_by_topic_and_searched(site: str) -> None:
    every = httpx.get(f"{site}/articles", timeout=30)
    assert every.status_code == 200
    assert every.text.count("<h2>") >= 2  # several topics
    found = httpx.get(f"{site}/articles", params={"q": "fusion"}, timeout=30)
    titles = re.findall(r'<a href="/articles/[^"]+">([^<]+)</a>', found.text)
    assert titles and len(titles) < len(re.findall(r'<a href="/articles/[^"]+">', every.text))
    none = httpx.get(f"{site}/articles", params={"q": "zebrafish"}, timeout=30)
    assert "No article matches" in none.text


def test_page_errors_are_html_pages_and_api_errors_stay_json(site: str) -> None:
    missing = httpx.get(f"{site}/articles/no-such-article", timeout=30)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Page not found" in missing.text
    bad_query = httpx.get(f"{site}/answer", params={"q": "x" * 2001}, timeout=30)
    assert bad_query.status_code == 422 and "text/html" in bad_query.headers["content-type"]
    assert "q: " in bad_query.text
    api = httpx.post(
        f"{site}/v1/evaluate",
        content=b"{",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"
    said = api.json()["errors"][0]
    assert "line 1, column" in said and said.count("not valid JSON") == 1, said


def test_article_pdf_download_carries_the_article_and_its_status(site: str, store: Store) -> None:
    with store.sessions() as session:
        article = session.scalar(select(Article).where(Article.question == SEED_QUESTIONS[0]))
        assert article is not None
        slug, title = article.slug, article.answer["title"]
    page = httpx.get(f"{site}/articles/{slug}", timeout=30)
    assert f'href="/articles/{slug}.pdf"' in page.text
    response = httpx.get(f"{site}/articles/{slug}.pdf", timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert " ".join(title.split()) in flat
    assert "Pending review" in flat and "References" in flat
