"""ICD-10-CM code look-up backed by simple-icd-10-cm, with a start-up cache.

simple-icd-10-cm parses the whole code set when it is imported (about 2.5 s), which would make every
``guidepath`` command slow. The first look-up on a machine therefore writes the set of valid codes
(categories and subcategories, not chapters or blocks) to a small cache file named after the
library's version; later look-ups read that file. The library stays the single authority: the
cache is only ever its own output, and a new library version writes a new cache.

Example: ``canonical("m461")`` returns ``"M46.1"``; ``canonical("M46.10")`` returns ``None``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

_LIBRARY = "simple-icd-10-cm"


def cache_dir() -> Path:
    """Where derived look-up tables live: ``$GUIDEPATH_CACHE_DIR`` or ``~/.cache/guidepath``."""
    configured = os.environ.get("GUIDEPATH_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "guidepath"


def _cache_file() -> Path:
    return cache_dir() / f"icd10cm-codes-{metadata.version(_LIBRARY)}.txt"


def _codes_from_library() -> list[str]:
    import simple_icd_10_cm as cm

    return [code for code in cm.get_all_codes(True) if not cm.is_chapter_or_block(code)]


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, path)


@cache
def valid_codes() -> frozenset[str]:
    """All ICD-10-CM categories and codes, dotted (``M46.1``), from the cache or the library."""
    path = _cache_file()
    if path.is_file():
        return frozenset(path.read_text().split())
    codes = _codes_from_library()
    with contextlib.suppress(OSError):  # a read-only home still works, only more slowly
        _write_atomically(path, "\n".join(codes))
    return frozenset(codes)


def _descriptions_file(codes: tuple[str, ...]) -> Path:
    digest = hashlib.sha256("\n".join(codes).encode()).hexdigest()[:16]
    return cache_dir() / f"icd10cm-descriptions-{metadata.version(_LIBRARY)}-{digest}.tsv"


def descriptions(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, description) for valid codes, in the order given, as simple-icd-10-cm words them;
    cached on disk like the code set, so a page that lists them does not import the library."""
    wanted = tuple(codes)
    path = _descriptions_file(wanted)
    if path.is_file():
        rows = [line.split("\t", 1) for line in path.read_text().splitlines()]
        return [(code, text) for code, text in rows]
    import simple_icd_10_cm as cm

    found = [(code, cm.get_description(code)) for code in wanted]
    with contextlib.suppress(OSError):
        _write_atomically(path, "\n".join(f"{code}\t{text}" for code, text in found))
    return found


def canonical(code: str) -> str | None:
    """The dotted, upper-case form of a valid ICD-10-CM code, or ``None`` when it is not one."""
    compact = code.strip().upper().replace(".", "")
    if len(compact) < 3:
        return None
    dotted = compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"
    return dotted if dotted in valid_codes() else None


def icd10_matches(code: str, entries: Iterable[str]) -> bool:
    """Whether an ICD-10-CM code falls under a prefix (``M45``) or a block of categories
    (``C00-C96``), as the pack's value sets list them."""
    category = code[:3]
    for entry in entries:
        if "-" in entry:
            first, last = entry.split("-", 1)
            if first <= category <= last:
                return True
        elif code.startswith(entry):
            return True
    return False


def icd10_key(code: str, table: Mapping[Any, list[str]]) -> list[str]:
    """The keys of a table (condition or red flag → ICD-10-CM entries) a code belongs to."""
    return [key for key, entries in table.items() if icd10_matches(code, entries)]


if __name__ == "__main__":  # `python -m guidepath.codes.icd10 --warm` fills the cache at set-up
    if "--warm" in sys.argv:
        print(f"{len(valid_codes())} ICD-10-CM codes cached in {_cache_file()}")
