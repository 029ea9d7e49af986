"""FHIR R4 records and orders → guidepath cases: codes first (pack value sets), words only as a
documented fallback, statuses honoured, what is skipped said in notes."""
