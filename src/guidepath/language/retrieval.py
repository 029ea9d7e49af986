"""bm25s retrieval over the pack's FAQ and topics, for general questions and related questions.

Documents are the FAQ questions with their answers and the topics with their questions and texts;
the index is built once per process. ``similar(a, b)`` is the share of content words two questions
have in common, used to decide that a question *is* one of the FAQ questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from guidepath.knowledge.loader import DEFAULT_PACK, load_pack
from guidepath.knowledge.schema import Faq, Topic

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "be",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "my",
        "of",
        "on",
        "or",
        "the",
        "to",
        "what",
        "when",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "me",
        "this",
        "that",
        "there",
    }
)


@dataclass(frozen=True)
class Document:
    """One retrievable item: a FAQ or a topic."""

    kind: Literal["faq", "topic"]
    id: str
    questions: tuple[str, ...]
    text: str
    item: Faq | Topic


def words(text: str) -> list[str]:
    """Lower-case content words; "don't" reads as "do not", so a negation is a word."""
    lowered = re.sub(r"n['’]t\b", " not", text.lower())
    return [w for w in re.findall(r"[a-z0-9]+", lowered) if w not in STOPWORDS]


def similar(first: str, second: str) -> float:
    """Jaccard overlap of content words (1.0: the same question)."""
    a, b = set(words(first)), set(words(second))
    return len(a & b) / len(a | b) if a | b else 0.0


@cache
def documents(pack: str = DEFAULT_PACK) -> tuple[Document, ...]:
    """The pack's FAQ and topics as documents."""
    loaded = load_pack(pack)
    found = [
        Document("faq", f.id, (f.question,), f"{f.question} {f.patient_answer}", f)
        for f in loaded.faq
    ]
    found += [
        Document(
            "topic",
            t.id,
            tuple(t.questions),
            " ".join([t.title, *t.questions, *(e.text for e in t.clinician)]),
            t,
        )
        for t in loaded.topics
    ]
    return tuple(found)


def _bm25(texts: list[str]) -> Any:
    """A bm25s index over the content words of ``texts``."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import
    retriever = bm25s.BM25()
    retriever.index([words(t) or ["_"] for t in texts], show_progress=False)
    return retriever


@cache
def _index(pack: str = DEFAULT_PACK) -> Any:
    return _bm25([d.text for d in documents(pack)])


def search(query: str, k: int = 5, pack: str = DEFAULT_PACK) -> list[tuple[Document, float]]:
    """The best-matching documents with their BM25 scores (only those that share a word)."""
    docs = documents(pack)
    tokens = words(query)
    if not tokens:
        return []
    results, scores = _index(pack).retrieve([tokens], k=min(k, len(docs)), show_progress=False)
    return [(docs[int(i)], float(s)) for i, s in zip(results[0], scores[0], strict=True) if s > 0]


@lru_cache(maxsize=256)
def best_faq(question: str, pack: str = DEFAULT_PACK, threshold: float = 0.7) -> Faq | None:
    """The FAQ this question is (content-word overlap ≥ threshold), if any."""
    for doc, _ in search(question, k=8, pack=pack):
        if doc.kind == "faq" and similar(question, doc.questions[0]) >= threshold:
            assert isinstance(doc.item, Faq)
            return doc.item
    return None


def related_questions(
    query: str, exclude: str, limit: int = 5, pack: str = DEFAULT_PACK
) -> list[str]:
    """Questions from the FAQ and topics ranked for this query, without the question itself."""
    found: list[str] = []
    for doc, _ in search(query, k=12, pack=pack):
        for question in doc.questions:
            if similar(question, exclude) < 0.6 and question not in found:
                found.append(question)
    return found[:limit]


def best_match(question: str, candidates: list[str], threshold: float = 0.7) -> int | None:
    """The index of the candidate question this question *is* (the same content-word overlap
    rule as :func:`best_faq`), or ``None``; the earliest wins a tie, so callers order candidates
    by preference (approved articles first)."""
    scores = [similar(question, candidate) for candidate in candidates]
    found = [(score, -index) for index, score in enumerate(scores) if score >= threshold]
    return -max(found)[1] if found else None


@lru_cache(maxsize=1024)
def topic_of(question: str, pack: str = DEFAULT_PACK) -> Topic | None:
    """The pack topic a question belongs to (its best-ranked topic document), for browsing."""
    for doc, _ in search(question, k=12, pack=pack):
        if doc.kind == "topic":
            assert isinstance(doc.item, Topic)
            return doc.item
    return None


def rank(query: str, texts: list[str]) -> list[int]:
    """Indexes of ``texts`` that share a content word with ``query``, best BM25 score first (a
    small index built for the call: the site's article list)."""
    tokens = words(query)
    if not tokens or not texts:
        return []
    found, scores = _bm25(texts).retrieve([tokens], k=len(texts), show_progress=False)
    return [int(i) for i, s in zip(found[0], scores[0], strict=True) if s > 0]
