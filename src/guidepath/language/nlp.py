"""The medspacy pipeline, built once and lazily from the pack's lexicon.

Target rules come from ``lexicon.yaml`` (one rule per phrase, its contract value and the actions it
stands for in the rule's metadata). ConText marks each mention's assertion with medspacy's default
rules plus the pack's own cues (``assertions``): negated ("no fever"), possible ("suspected
axSpA"), hypothetical ("what if she had..."), family ("runs in families"); pseudo-cues such as "no
better after" report an outcome rather than an absence. Sentences are split with spaCy's rule
sentencizer, which reads questions as well as PyRuSH and starts faster.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from guidepath.knowledge.loader import DEFAULT_PACK, read_yaml
from guidepath.knowledge.schema import LexiconEntry, LexiconFile


@cache
def lexicon_file(pack: str = DEFAULT_PACK) -> LexiconFile:
    """The validated ``lexicon.yaml`` of a pack."""
    return LexiconFile.model_validate(read_yaml(pack, "lexicon.yaml"))


def lexicon(pack: str = DEFAULT_PACK) -> tuple[LexiconEntry, ...]:
    """The lexicon entries of a pack."""
    return tuple(lexicon_file(pack).entries)


@cache
def compiled_cues(pack: str = DEFAULT_PACK) -> tuple[tuple[re.Pattern[str], ...], ...]:
    """(option cues, history cues, report cues, history lead cues, imaging finding cues),
    compiled."""
    lex = lexicon_file(pack)
    groups = (
        lex.option_cues,
        lex.history_cues,
        lex.report_cues,
        lex.history_lead_cues,
        lex.imaging_finding_cues,
    )
    return tuple(tuple(re.compile(p, re.IGNORECASE) for p in patterns) for patterns in groups)


def _quiet_libraries() -> None:
    """medspacy's dependencies switch on DEBUG logging; keep the CLI's stderr for our errors."""
    import logging
    import warnings

    # medspacy's target matcher holds an empty regex matcher; spaCy warns on every document.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("bm25s", "PyRuSH", "medspacy"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _target_rules(pack: str) -> list[Any]:
    from medspacy.ner import TargetRule

    rules = []
    for entry in lexicon(pack):
        meta = {
            "label": entry.label,
            "value": entry.value,
            "type": entry.type,
            "actions": list(entry.actions),
        }
        rules += [TargetRule(phrase, entry.label, metadata=meta) for phrase in entry.phrases]
        rules += [
            TargetRule(
                phrase, entry.label, pattern=[{"TEXT": w} for w in phrase.split()], metadata=meta
            )
            for phrase in entry.exact_phrases
        ]
    return rules


def _context_rules(pack: str) -> list[Any]:
    from medspacy.context import ConTextRule

    return [
        ConTextRule(phrase, cue.category, direction=cue.direction)
        for cue in lexicon_file(pack).assertions
        for phrase in cue.phrases
    ]


_PIPELINE_LOCK = threading.Lock()


def read_document(text: str, pack: str = DEFAULT_PACK) -> Any:
    """The spaCy ``Doc`` of a text, with its target mentions and their ConText assertions.

    medspacy's matchers keep state while they run (PyFastNER inside the target matcher is not
    thread-safe: concurrent calls lost or mixed up mentions under load), so one document is read
    at a time per process. Reading takes about a millisecond, and under the GIL the threads could
    not run it in parallel anyway; the API's other work stays concurrent.
    """
    with _PIPELINE_LOCK:
        return pipeline(pack)(text)


@cache
def pipeline(pack: str = DEFAULT_PACK) -> Any:
    """A spaCy ``Language`` with medspacy's tokenizer, target matcher and ConText (once; call it
    through :func:`read_document`, which serialises use)."""
    from loguru import logger
    from spacy.lang.en import English

    logger.disable("PyRuSH")
    from medspacy.context import ConText  # noqa: F401  (registers the component)
    from medspacy.target_matcher import TargetMatcher  # noqa: F401  (registers the component)

    _quiet_libraries()
    nlp = English()
    nlp.add_pipe("sentencizer")
    matcher: Any = nlp.add_pipe("medspacy_target_matcher")
    matcher.add(_target_rules(pack))
    context: Any = nlp.add_pipe("medspacy_context")
    context.add(_context_rules(pack))
    return nlp
