"""The medspacy pipeline, built once and lazily from the pack's lexicon.

Target rules come from ``lexicon.yaml`` (one rule per phrase, its contract value in the rule's
metadata); ConText marks negation ("no fever"), history and hypotheticals ("what if she had...").
Negation scope is cut at words that start a new assertion ("history of", "with", "but"), so
"no fever, history of Crohn's disease" does not negate the Crohn's disease.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from guidepath.knowledge.loader import DEFAULT_PACK, read_yaml
from guidepath.knowledge.schema import LexiconEntry, LexiconFile

SCOPE_BREAKS = [
    "history of",
    "with",
    "but",
    "however",
    "who",
    "diagnosed with",
    "and has",
    "also has",
    "and had",
]


@cache
def lexicon(pack: str = DEFAULT_PACK) -> tuple[LexiconEntry, ...]:
    """The validated lexicon of a pack."""
    return tuple(LexiconFile.model_validate(read_yaml(pack, "lexicon.yaml")).entries)


def _quiet_libraries() -> None:
    """medspacy's dependencies switch on DEBUG logging; keep the CLI's stderr for our errors."""
    import logging
    import warnings

    # medspacy's target matcher holds an empty regex matcher; spaCy warns on every document.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("bm25s", "PyRuSH", "medspacy"):
        logging.getLogger(name).setLevel(logging.WARNING)


@cache
def pipeline(pack: str = DEFAULT_PACK) -> Any:
    """A medspacy ``Language`` with the pack's target rules and ConText (≈2 s, once)."""
    from loguru import logger

    logger.disable("PyRuSH")
    import medspacy
    from medspacy.context import ConTextRule
    from medspacy.ner import TargetRule

    nlp = medspacy.load()
    _quiet_libraries()
    rules = [
        TargetRule(
            phrase,
            entry.label,
            metadata={"label": entry.label, "value": entry.value, "type": entry.type},
        )
        for entry in lexicon(pack)
        for phrase in entry.phrases
    ]
    nlp.get_pipe("medspacy_target_matcher").add(rules)
    nlp.get_pipe("medspacy_context").add(
        [ConTextRule(word, "TERMINATE", direction="TERMINATE") for word in SCOPE_BREAKS]
    )
    return nlp
