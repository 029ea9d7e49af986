"""Batch review with real files, real processes and a real Dask LocalCluster on loopback: bad
lines, resume after a killed run, necessity mode, Parquet round trip, and the same rows whichever
way the batch runs. Expected rows come from ``evaluate``/``check_necessity`` called directly."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from guidepath import evaluate
from guidepath.batch.output import read_parquet_rows
from guidepath.batch.runner import BatchOptions, run_batch
from guidepath.engine.necessity import check_necessity

GOLDEN = yaml.safe_load((Path(__file__).parents[1] / "golden" / "cases.yaml").read_text())
CASES = [c["case"] for c in GOLDEN]


def write_ndjson(path: Path, cases: list[dict[str, Any]], repeat: int = 1) -> list[str]:
    ids = []
    with path.open("w") as handle:
        for n in range(repeat):
            for i, case in enumerate(cases):
                ids.append(f"case-{n}-{i}")
                handle.write(json.dumps({"id": ids[-1], "case": case}) + "\n")
    return ids


def read_ndjson(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def guidepath(*args: str) -> subprocess.Popen[str]:
    command = shutil.which("guidepath", path=str(Path(sys.executable).parent))
    assert command
    return subprocess.Popen(
        [command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_full_assessments_match_evaluate(tmp_path: Path) -> None:
    source, output = tmp_path / "in.ndjson", tmp_path / "out.ndjson"
    write_ndjson(source, CASES)
    summary = run_batch(BatchOptions(source, output))
    rows = read_ndjson(output)
    assert summary.rows == len(CASES) == len(rows) and summary.errors == 0
    for row, case in zip(rows, CASES, strict=True):
        assert row["assessment"] == evaluate(case).model_dump(mode="json")


def test_bad_lines_become_error_rows_and_never_stop_the_batch(tmp_path: Path) -> None:
    source, output = tmp_path / "in.ndjson", tmp_path / "out.ndjson"
    lines = [
        json.dumps(CASES[0]),
        "{not json",
        json.dumps({"id": "nrs", "case": {"pain": {"nrs": 42}}}),
        "[1, 2]",
        json.dumps({"id": "typo", "case": {"diagnosis": ["M45.9"]}}),
        json.dumps(CASES[1]),
    ]
    source.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe\n")
    summary = run_batch(BatchOptions(source, output, compact=True))
    rows = {row["line"]: row for row in read_ndjson(output)}
    assert summary.errors == 5 and summary.rows == 7
    assert rows[1]["primary"] == evaluate(CASES[0]).recommendations[0].action
    assert "not valid JSON" in rows[2]["error"][0]
    assert rows[3]["id"] == "nrs" and rows[3]["error"][0].startswith("pain.nrs:")
    assert rows[4]["error"] == ["each line must be a JSON object (a case)"]
    assert rows[5]["error"][0].startswith("diagnosis:")
    assert "primary" in rows[6] and "not valid JSON" in rows[7]["error"][0]


def test_a_killed_run_resumes_without_loss_or_repetition(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    ids = write_ndjson(source, CASES, repeat=150)
    reference, resumed = tmp_path / "reference.ndjson", tmp_path / "resumed.ndjson"
    run_batch(BatchOptions(source, reference, compact=True))
    process = guidepath("batch", str(source), "-o", str(resumed), "--compact")
    deadline = time.monotonic() + 60
    while (not resumed.exists() or resumed.stat().st_size < 20_000) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    written = len(read_ndjson_lenient(resumed))
    assert 0 < written < len(ids), "the run should have been killed part-way"
    with resumed.open("ab") as handle:  # as if the kill had cut a line in half
        handle.write(b'{"id":"case-9')
    summary = run_batch(BatchOptions(source, resumed, compact=True))
    assert summary.resumed == written
    assert read_ndjson(resumed) == read_ndjson(reference)


def read_ndjson_lenient(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.endswith("}")]


def test_necessity_mode(tmp_path: Path) -> None:
    source, full, compact = tmp_path / "in.ndjson", tmp_path / "full.ndjson", tmp_path / "c.ndjson"
    write_ndjson(source, CASES)
    run_batch(BatchOptions(source, full, procedure="sij_fusion_mis"))
    summary = run_batch(BatchOptions(source, compact, procedure="sij_fusion_mis", compact=True))
    for row, small, case in zip(read_ndjson(full), read_ndjson(compact), CASES, strict=True):
        expected = check_necessity("sij_fusion_mis", case)
        assert row["determination"] == expected.model_dump(mode="json")
        assert small["determination"] == expected.determination
        assert small["not_met"] == [c.id for c in expected.criteria if c.status == "not_met"]
    assert sum(summary.by_determination.values()) == len(CASES)


def test_parquet_round_trip(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source_ndjson, source_parquet = tmp_path / "in.ndjson", tmp_path / "in.parquet"
    ids = write_ndjson(source_ndjson, CASES)
    pq.write_table(pa.table({"id": ids, "case": [json.dumps(c) for c in CASES]}), source_parquet)
    from_ndjson, from_parquet = tmp_path / "a.ndjson", tmp_path / "b.parquet"
    run_batch(BatchOptions(source_ndjson, from_ndjson, compact=True))
    run_batch(BatchOptions(source_parquet, from_parquet, compact=True))
    assert not (tmp_path / "b.parquet.partial.ndjson").exists()
    assert read_parquet_rows(from_parquet) == read_ndjson(from_ndjson)


def test_local_workers_give_the_same_rows(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    write_ndjson(source, CASES, repeat=4)
    single, parallel = tmp_path / "single.ndjson", tmp_path / "parallel.ndjson"
    run_batch(BatchOptions(source, single, compact=True, chunk_size=50))
    run_batch(BatchOptions(source, parallel, compact=True, workers=2, chunk_size=50))
    assert read_ndjson(parallel) == read_ndjson(single)


def test_dask_local_cluster_gives_the_same_rows(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    write_ndjson(source, CASES, repeat=4)
    single, cluster = tmp_path / "single.ndjson", tmp_path / "dask.ndjson"
    run_batch(BatchOptions(source, single, chunk_size=50))
    run_batch(BatchOptions(source, cluster, dask="local", workers=2, chunk_size=50))
    assert read_ndjson(cluster) == read_ndjson(single)


def test_the_cli_reports_and_refuses_bad_options(tmp_path: Path) -> None:
    source, output = tmp_path / "in.ndjson", tmp_path / "out.ndjson"
    write_ndjson(source, CASES[:5])
    done = guidepath("batch", str(source), "-o", str(output), "--compact")
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0 and "5 rows" in err
    report = (tmp_path / "out.ndjson.report.html").read_text()
    assert "<svg" in report and "Primary actions" in report
    wrong = guidepath("batch", str(source), "-o", str(output), "--necessity", "nope")
    _, err = wrong.communicate(timeout=60)
    assert wrong.returncode == 2 and "--necessity" in err and "Traceback" not in err


def test_resuming_onto_the_output_of_another_input_is_refused(tmp_path: Path) -> None:
    first, second, output = tmp_path / "a.ndjson", tmp_path / "b.ndjson", tmp_path / "o.ndjson"
    write_ndjson(first, CASES[:10])
    with second.open("w") as handle:
        for i, case in enumerate(CASES[:10]):
            handle.write(json.dumps({"id": f"other-{i}", "case": case}) + "\n")
    run_batch(BatchOptions(first, output, compact=True))
    before = output.read_bytes()
    process = guidepath("batch", str(second), "-o", str(output), "--compact")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "output:" in err and "Traceback" not in err
    assert output.read_bytes() == before


def test_an_unusable_output_is_a_clear_error(tmp_path: Path) -> None:
    source, folder = tmp_path / "in.ndjson", tmp_path / "a-folder"
    write_ndjson(source, CASES[:2])
    folder.mkdir()
    process = guidepath("batch", str(source), "-o", str(folder))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "--output:" in err and "Traceback" not in err
