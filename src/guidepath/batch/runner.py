"""Run a batch: read records, skip the ones an earlier run wrote, process the rest in chunks (in
this process, on local worker processes, or on a Dask cluster), append the output in input
order, and summarise. The same chunks and the same function run everywhere, so every way gives
the same output, row for row.

Output is written strictly in input order, so an interrupted run's output is the output of the
first N records: a resumed run skips N records (after checking that the last id written is the
id of record N, so a changed input is refused rather than mixed). NDJSON lines go to the workers
unparsed; the process that reads and writes only moves bytes.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guidepath.batch.output import Appender, done_rows, staging_path, write_parquet
from guidepath.batch.records import is_parquet, parse_line, raw_lines, read_records
from guidepath.batch.tally import Tally
from guidepath.batch.work import Item, process_chunk
from guidepath.errors import BadInput

Chunk = list[Item]
Result = tuple[bytes, Tally]


@dataclass
class BatchOptions:
    """What to run and where."""

    input: Path
    output: Path
    procedure: str | None = None
    compact: bool = False
    workers: int = 1
    dask: str | None = None
    chunk_size: int = 500


@dataclass
class Summary(Tally):
    """Counts over the whole output (rows written before a resume included), and this run's
    speed."""

    written_now: int = 0
    resumed: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Rows written per second in this run."""
        return self.written_now / self.seconds if self.seconds else 0.0


def _items(path: Path) -> Iterator[Item]:
    return read_records(path) if is_parquet(path) else raw_lines(path)


def _item_id(item: Item) -> str:
    return item.id if not isinstance(item, tuple) else parse_line(*item).id


def _remaining(path: Path, done: list[dict[str, Any]]) -> Iterator[Item]:
    """The input after the records an earlier run wrote; a changed input is bad input."""
    items = _items(path)
    if not done:
        return items
    skipped = list(itertools.islice(items, len(done)))
    last = str(done[-1]["id"])
    if len(skipped) < len(done) or _item_id(skipped[-1]) != last:
        raise BadInput(
            [
                (
                    "output",
                    f"holds {len(done)} rows ending with id {last!r}, which do not match "
                    "the start of this input; choose another output",
                )
            ]
        )
    return items


def _chunks(items: Iterator[Item], size: int) -> Iterator[Chunk]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _ordered(
    submit: Callable[[Chunk], Any], chunks: Iterator[Chunk], window: int
) -> Iterator[Result]:
    """Results of chunks in input order, with at most ``window`` chunks in flight."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _local(options: BatchOptions, chunks: Iterator[Chunk]) -> Iterator[Result]:
    procedure, compact = options.procedure, options.compact
    if options.workers <= 1:
        for chunk in chunks:
            yield process_chunk(chunk, procedure, compact)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(options.workers, mp_context=context) as pool:
        submit = lambda c: pool.submit(process_chunk, c, procedure, compact)  # noqa: E731
        yield from _ordered(submit, chunks, options.workers * 4)


def _dask(options: BatchOptions, chunks: Iterator[Chunk]) -> Iterator[Result]:
    from distributed import Client, LocalCluster

    cluster = None
    if options.dask == "local":
        cluster = LocalCluster(
            n_workers=max(1, options.workers),
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        )
    client = Client(cluster if cluster is not None else options.dask)
    procedure, compact = options.procedure, options.compact
    try:
        window = 4 * max(1, len(client.scheduler_info().get("workers", {})))
        submit = lambda c: client.submit(process_chunk, c, procedure, compact, pure=False)  # noqa: E731
        yield from _ordered(submit, chunks, window)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(
    options: BatchOptions,
    on_rows: Callable[[int], None] | None = None,
    on_resume: Callable[[int], None] | None = None,
) -> Summary:
    """Run the batch; ``on_resume`` hears how many rows an earlier run wrote, ``on_rows`` how
    many each finished chunk wrote."""
    started = time.perf_counter()
    staging = staging_path(options.output)
    summary = Summary()
    done = done_rows(staging)
    for row in done:
        summary.count(row)
    summary.resumed = len(done)
    if on_resume and done:
        on_resume(len(done))
    chunks = _chunks(_remaining(options.input, done), options.chunk_size)
    runner = _dask if options.dask else _local
    appender = Appender(staging)
    try:
        for data, tally in runner(options, chunks):
            appender.write_bytes(data)
            appender.flush()
            summary.add(tally)
            summary.written_now += tally.rows
            if on_rows:
                on_rows(tally.rows)
    finally:
        appender.close()
    if is_parquet(options.output):
        write_parquet(done_rows(staging), options.output)
        staging.unlink()
    summary.seconds = time.perf_counter() - started
    return summary
