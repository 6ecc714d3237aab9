"""Schemathesis against /openapi.json: generated requests never cause a 5xx, and every
response matches the documented schema. Bounded examples, a throwaway database."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

from tutor.app import create_app  # noqa: E402
from tutor.config import Settings  # noqa: E402

pytestmark = pytest.mark.slow

# Schemathesis reads the schema when the module is collected, so the app is built here,
# on a database of its own that lives as long as the test run.
_FOLDER = Path(tempfile.mkdtemp(prefix="tutor-fuzz-"))
# Thousands of requests from one address, many with made-up tokens: no rate limits.
APP = create_app(
    Settings(
        database_url=f"sqlite:///{_FOLDER / 'tutor.db'}",
        secret_key="fuzz",
        learners_per_minute=0,
        auth_failures_per_minute=0,
    )
)
TOKEN = APP.state.tutor.create_api_learner()[1]
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema(case):
    # A schema-valid answer can still be wrong for the current item (an option of
    # another question, say), which the API rightly refuses with a 422: that one
    # check does not apply. Every other check does, no 5xx and schema conformance first.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=[positive_data_acceptance]
    )
