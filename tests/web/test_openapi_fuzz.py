"""Schemathesis against /openapi.json: generated requests never cause a 5xx, every response
matches the documented schema, and every request the schema admits is accepted. Bounded
examples, a throwaway database."""

from __future__ import annotations

import re
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

# Rules JSON Schema has no words for (one array as long as another, a loss named in the path
# taking other numbers than another): each operation's description names them in bold, and
# a schema-valid request breaking one is refused with a 422 that says which. Only those 422s
# are accepted; any other refusal of a schema-valid request fails the test.
RULES = {
    "POST /api/losses/{name}": {
        "same shape": r"same shape|the shape of y_pred|class labels but y_pred has|"
        r"could not be read as",
        "probabilities": r"probabilities in \[0, 1\]|targets in \[0, 1\]|sums to .+, not 1|"
        r"is not a class label|is not a whole number",
        "eps": r"does not clip, so it takes no eps",
    },
    "GET /api/lab/loss": {
        "same shape": r"^None of the losses can score these numbers: .*(same shape|could not be "
        r"read as)|every row needs as many",
        "class labels": r"^None of the losses can score these numbers: .*(class label|is not a "
        r"whole number|sums to .+, not 1|probabilities in \[0, 1\]|targets in \[0, 1\])",
    },
}


def _broken_rule(case, response) -> str | None:
    """The documented rule a 422 says the request broke, if it names one."""
    if response.status_code != 422:
        return None
    detail = response.json().get("detail")
    for rule, said in RULES.get(case.operation.label, {}).items():
        if isinstance(detail, str) and re.search(said, detail):
            return rule
    return None


def schema_valid_requests_are_accepted(ctx, response, case):
    """Schemathesis' own check, except for a 422 naming a rule the operation documents."""
    if _broken_rule(case, response) is None:
        return positive_data_acceptance(ctx, response, case)
    return None


def test_the_rules_a_refusal_may_name_are_documented():
    spec = APP.openapi()
    for operation, rules in RULES.items():
        method, path = operation.split(" ")
        description = spec["paths"][path][method.lower()]["description"]
        for rule in rules:
            assert f"**{rule}**" in description, (operation, rule)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema(case):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_are_accepted],
    )
