"""Score `guidepath.ask` on the real published questions in ../shared/questions/real-dev.json.

    python bench/real_questions.py [QUESTIONS.json] [-v]

For each question with the source's own answer mapped to action words, the first primary
recommendation is compared with the source's `primary_any_of`, and nothing the source says to
avoid may be recommended now (any role but next_if_fails). Prints the score overall and by the
kind of question guidepath read (its `intent`), then one line per miss with -v.
"""

from __future__ import annotations

import collections
import json
import os
import sys
from pathlib import Path
from typing import Any

from guidepath import ask

DEFAULT = Path(os.environ.get("GUIDEPATH_SHARED", "../shared")) / "questions" / "real-dev.json"


def score(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Right / scored overall and per intent, source-avoided actions recommended, misses."""
    by_intent: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    right = scored = avoided = 0
    misses: list[str] = []
    for index, item in enumerate(items):
        answer = ask(item["q"], audience=item.get("audience", "clinician"))
        expect = item.get("expect") or {}
        recs = answer.recommendations
        now = {r.action for r in recs if r.role != "next_if_fails"}
        if now & set(expect.get("excludes", [])):
            avoided += 1
            misses.append(f"AVOID q{index}: {sorted(now & set(expect['excludes']))}")
        if not expect.get("primary_any_of"):
            continue
        primary = next((r.action for r in recs if r.role == "primary"), None)
        hit = primary in expect["primary_any_of"]
        scored, right = scored + 1, right + hit
        by_intent[answer.intent][0] += hit
        by_intent[answer.intent][1] += 1
        if not hit:
            wanted = expect["primary_any_of"]
            misses.append(f"miss q{index} [{answer.intent}]: {primary} vs {wanted}")
    return {
        "right": right,
        "scored": scored,
        "source_avoided_recommended": avoided,
        "by_intent": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_intent.items())},
        "misses": misses,
    }


def main(argv: list[str]) -> int:
    paths = [a for a in argv if a != "-v"]
    path = Path(paths[0]) if paths else DEFAULT
    result = score(json.loads(path.read_text(encoding="utf-8")))
    misses = result.pop("misses")
    print(json.dumps(result, indent=2))
    if "-v" in argv:
        print("\n".join(misses))
    print(
        f"real questions: {result['right']}/{result['scored']} primary right, "
        f"{result['source_avoided_recommended']} source-avoided recommended"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
