"""Batch review: many cases in one run (NDJSON or Parquet in and out), on local processes or a
Dask cluster, resumable, with a summary."""
