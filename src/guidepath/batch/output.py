"""Output that survives interruption: rows are appended to an NDJSON file one whole line at a
time and flushed to disk after every chunk. A run that starts on an existing output resumes:
a partial last line (a crash mid-write) is cut off, and the ids already written are skipped, so
nothing is lost or done twice. Parquet output is staged the same way beside the target and
written (to a temporary file, then renamed) when the run completes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from guidepath.batch.records import is_parquet


def staging_path(output: Path) -> Path:
    """Where rows are appended: the output itself (NDJSON) or a staging file (Parquet)."""
    return output.with_name(output.name + ".partial.ndjson") if is_parquet(output) else output


def _cut_partial_line(path: Path) -> None:
    with path.open("rb+") as handle:
        data = handle.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            handle.truncate(end)


def done_rows(path: Path) -> list[dict[str, Any]]:
    """The rows already written (after cutting a partial last line)."""
    if not path.exists():
        return []
    _cut_partial_line(path)
    rows = []
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                rows.append(json.loads(raw))
    return rows


class Appender:
    """Appends rows as whole lines; :meth:`flush` makes them durable."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("ab")

    def write_bytes(self, data: bytes) -> None:
        """Append whole lines (each ending in a newline), in one write."""
        self._handle.write(data)

    def flush(self) -> None:
        """Push what was written to disk."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Flush and close."""
        self.flush()
        self._handle.close()


def write_parquet(rows: list[dict[str, Any]], output: Path) -> None:
    """Write rows to a Parquet file: ``id``, ``line``, ``error`` (its lines as a JSON list) and
    ``result`` (the rest of the row as JSON), atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {"id": [], "line": [], "error": [], "result": []}
    for row in rows:
        rest = {k: v for k, v in row.items() if k not in ("id", "line", "error")}
        columns["id"].append(str(row["id"]))
        columns["line"].append(int(row["line"]))
        columns["error"].append(json.dumps(row["error"]) if row.get("error") else None)
        columns["result"].append(json.dumps(rest, separators=(",", ":")) if rest else None)
    schema = pa.schema(
        [("id", pa.string()), ("line", pa.int64()), ("error", pa.string()), ("result", pa.string())]
    )
    temporary = output.with_name(output.name + ".tmp")
    pq.write_table(pa.table(columns, schema=schema), temporary)
    os.replace(temporary, output)


def read_parquet_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a Parquet output, as the NDJSON output has them."""
    import pyarrow.parquet as pq

    rows = []
    for item in pq.read_table(path).to_pylist():
        row: dict[str, Any] = {"id": item["id"], "line": item["line"]}
        if item["error"] is not None:
            row["error"] = json.loads(item["error"])
        if item["result"] is not None:
            row.update(json.loads(item["result"]))
        rows.append(row)
    return rows
