"""HTTP delivery: the REST API (one router per resource), FHIR R4 input and CDS Hooks."""
