"""Input records: one case per NDJSON line (a Case, or ``{"id": ..., "case": {...}}``) or per
Parquet row (columns ``id`` and ``case``, the case as a JSON string or a struct). Each record
keeps its 1-based line (row) number; a record that cannot be read carries its error instead of
a case, so a bad line never stops the batch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Record:
    """One input case (or why it could not be read)."""

    line: int
    id: str
    case: dict[str, Any] | None = None
    error: str | None = None


def _wrapped(data: dict[str, Any]) -> bool:
    return isinstance(data.get("case"), dict) and set(data) <= {"id", "case"}


def record_from(line: int, data: Any) -> Record:
    """A record from one parsed line or row."""
    fallback = f"line-{line}"
    if not isinstance(data, dict):
        return Record(line, fallback, error="each line must be a JSON object (a case)")
    if _wrapped(data):
        given = data.get("id")
        if given is not None and not isinstance(given, str | int):
            return Record(line, fallback, error="id: must be a string or a number")
        return Record(line, str(given) if given is not None else fallback, case=data["case"])
    return Record(line, fallback, case=data)


RawLine = tuple[int, bytes]


def parse_line(number: int, text: bytes) -> Record:
    """One NDJSON line as a record (bad JSON becomes the record's error)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        return Record(number, f"line-{number}", error=f"not valid JSON ({error})")
    return record_from(number, data)


def raw_lines(path: Path) -> Iterator[RawLine]:
    """The non-empty lines of an NDJSON file with their line numbers, unparsed (worker processes
    parse them, so the process that reads and writes stays free)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.strip()
            if text:
                yield number, text


def _ndjson(path: Path) -> Iterator[Record]:
    for number, text in raw_lines(path):
        yield parse_line(number, text)


def _parquet(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for number, row in enumerate(table.to_pylist(), start=1):
        case = row.get("case")
        if isinstance(case, str):
            try:
                case = json.loads(case)
            except json.JSONDecodeError as error:
                yield Record(number, str(row.get("id") or f"line-{number}"), error=f"case: {error}")
                continue
        data = {"id": row.get("id"), "case": case} if "case" in row else row
        if data.get("id") is None:
            data.pop("id", None)
        yield record_from(number, data)


def is_parquet(path: Path) -> bool:
    """Whether a path names a Parquet file (by its extension)."""
    return path.suffix.lower() in (".parquet", ".pq")


def read_records(path: Path) -> Iterator[Record]:
    """The records of an NDJSON or Parquet file, in order."""
    return _parquet(path) if is_parquet(path) else _ndjson(path)


def count_records(path: Path) -> int:
    """How many records a file holds (for the progress bar), without parsing them."""
    if is_parquet(path):
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open("rb") as handle:
        return sum(1 for raw in handle if raw.strip())
