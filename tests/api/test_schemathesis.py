"""schemathesis over the OpenAPI document: generated requests never get a 500."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from guidepath.api.app import create_app

schema = schemathesis.openapi.from_dict(create_app().openapi())


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_server_errors(case: schemathesis.Case, base_url: str) -> None:  # type: ignore[type-arg]
    response = case.call(base_url=base_url, timeout=30)
    assert response.status_code < 500, (case.method, case.path, case.body, response.text[:300])
