"""What one question says: the Case facts read from it, what was understood, and what it asks
about (its options, subjects and the treatments it reports as given)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from guidepath.language.mentions import Mention


@dataclass
class Reading:
    """What a question says: the Case facts, what was understood, and what it asks about."""

    case: dict[str, Any] = field(default_factory=dict)
    understood: list[str] = field(default_factory=list)
    hypothetical: bool = False
    options: list[Mention] = field(default_factory=list)
    subjects: list[Mention] = field(default_factory=list)
    given: list[Mention] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.understood:
            self.understood.append(text)

    def listed(self, key: str, value: str) -> bool:
        """Add ``value`` to the case list ``key``; False when it was there already."""
        values = self.case.setdefault(key, [])
        if value in values:
            return False
        values.append(value)
        return True

    def named_actions(self) -> list[str]:
        """Actions the question names outright ("how often", "screening", "an MRI")."""
        return list(
            dict.fromkeys(m.value for m in self.options + self.subjects if m.label == "ACTION")
        )

    def given_actions(self) -> list[str]:
        """Actions of the treatments reported as given ("recovery after SI joint fusion"): what a
        question about results or risks is about when it names nothing else."""
        return list(dict.fromkeys(a for m in self.given for a in m.actions))

    def subject_actions(self) -> list[str]:
        """The pathway actions the question asks about: actions it names outright first ("how
        often", "screening"), then what its options and subjects stand for, in order of mention;
        a drug one is switched *to* stands for the switch ("switched to secukinumab")."""
        asked = self.options + self.subjects
        found = [m.value for m in asked if m.label == "ACTION"]
        for mention in asked:
            actions = mention.actions
            if SWITCH_TO.search(mention.before):
                actions = sorted(actions, key=lambda a: not a.startswith("switch"))
            found += [a for a in actions if a not in found]
        return list(dict.fromkeys(found))


SWITCH_TO = re.compile(r"\bswitch\w*\b.{0,60}\bto\s*$", re.IGNORECASE)
