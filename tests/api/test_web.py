"""Pages over HTTP: CSRF, session cookie flags, permission refusals, diff of revisions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import select

from guidepath.answers.ask import answer_json
from guidepath.store import workflow as wf
from guidepath.store.models import User
from guidepath.web.review import revision_diff
from guidepath.web.state import DEMO_PASSWORD, Store


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)


@contextmanager
def signed_in(site: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site, timeout=30) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": token}
        )
        assert response.status_code == 303
        yield client


def test_forms_without_the_csrf_token_are_refused(site: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as client:
        client.get("/case")
        assert client.post("/case", data={"body": "{}"}).status_code == 403
        assert (
            client.post(
                "/login", data={"username": "reviewer", "password": DEMO_PASSWORD, "csrf": "forged"}
            ).status_code
            == 403
        )


def test_session_cookie_is_http_only_and_same_site(site: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as client:
        response = client.get("/login")
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie


def test_the_author_cannot_review_their_own_article(site: str, store: Store) -> None:
    with store.sessions() as session:
        article = wf.list_articles(session, status="submitted")[0]
        article_id, version = article.id, article.version
    with signed_in(site, "editor") as client:
        page = client.get(f"/review/{article_id}")
        assert "Start review" not in page.text and 'data-testid="refusal"' in page.text
        assert "The article under review" in page.text and "References" in page.text
        response = client.post(
            f"/review/{article_id}",
            data={"action": "start", "version": version, "csrf": csrf_of(page.text)},
        )
        assert response.status_code == 403
        assert "only a reviewer" in response.text


def test_a_stale_form_is_a_conflict(site: str, store: Store) -> None:
    with store.sessions() as session:
        article = wf.list_articles(session, status="submitted")[-1]
        article_id, version = article.id, article.version
    with signed_in(site, "reviewer") as first, signed_in(site, "reviewer2") as second:
        token_a = csrf_of(first.get(f"/review/{article_id}").text)
        token_b = csrf_of(second.get(f"/review/{article_id}").text)
        ok = first.post(
            f"/review/{article_id}", data={"action": "start", "version": version, "csrf": token_a}
        )
        late = second.post(
            f"/review/{article_id}", data={"action": "start", "version": version, "csrf": token_b}
        )
        assert ok.status_code == 200 and late.status_code == 409


def test_revision_diff_shows_what_changed(store: Store) -> None:
    with store.sessions() as session:
        author = wf.authenticate(session, username="editor", password=DEMO_PASSWORD)
        assert author is not None
        article = wf.submit_article(
            session, author=author, question="What is the sacroiliac joint?", answerer=answer_json
        )
        article = wf.edit_article(
            session,
            answerer=answer_json,
            article_id=article.id,
            editor=author,
            question="Are SI joint procedures safe?",
            expected_version=article.version,
        )
        diff = str(revision_diff(article))
    assert "<del>" in diff and "<ins>" in diff


def test_unknown_article_is_404(site: str) -> None:
    assert httpx.get(f"{site}/articles/no-such-article", timeout=30).status_code == 404


def test_only_reviewed_or_pending_articles_are_public(site: str, store: Store) -> None:
    """Rejected and sent-back articles are 404 to the public and not listed; approved ones lead
    the list; pending ones are shown with a warning (issue 12)."""
    with store.sessions() as session:
        reviewer = session.scalar(select(User).where(User.username == "reviewer"))
        assert reviewer is not None
        pending = wf.list_articles(session, status="submitted")
        outcomes = {}
        for article, decision in zip(
            pending[:3], ["reject", "request_changes", "approve"], strict=True
        ):
            started = wf.start_review(
                session, article_id=article.id, reviewer=reviewer, expected_version=article.version
            )
            wf.decide(
                session,
                article_id=started.id,
                reviewer=reviewer,
                decision=decision,
                comment="checked",
                expected_version=started.version,
            )
            outcomes[decision] = article.slug
        still_pending = pending[3].slug
    with httpx.Client(base_url=site, timeout=30) as public:
        home = public.get("/").text
        for decision in ("reject", "request_changes"):
            assert public.get(f"/articles/{outcomes[decision]}").status_code == 404
            assert f'/articles/{outcomes[decision]}"' not in home
        approved = public.get(f"/articles/{outcomes['approve']}")
        assert approved.status_code == 200 and 'data-testid="pending"' not in approved.text
        assert "Medically reviewed by reviewer on" in approved.text
        waiting = public.get(f"/articles/{still_pending}")
        assert waiting.status_code == 200 and "Pending review" in waiting.text
        assert home.index(outcomes["approve"]) < home.index(still_pending)
    with signed_in(site, "editor") as editor:
        assert editor.get(f"/articles/{outcomes['reject']}").status_code == 200


def test_the_favicon_is_served(site: str) -> None:
    for path in ("/favicon.ico", "/favicon.svg"):
        response = httpx.get(f"{site}{path}", timeout=30)
        assert response.status_code == 200 and response.text.startswith("<svg")


def test_the_audit_log_is_for_signed_in_users(site: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as public:
        assert public.get("/audit").status_code == 303
    with signed_in(site, "reviewer") as client:
        page = client.get("/audit")
        assert page.status_code == 200
        assert "user created" in page.text and ">submitted<" in page.text
