"""Schemathesis against /openapi.json: generated requests never cause a 5xx, every response
matches the documented schema, and every request the schema admits is accepted; then the
lesson operations again on the shipped lessons, with answers aimed at the current item.
Bounded examples, a throwaway database."""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import negative_data_rejection, positive_data_acceptance  # noqa: E402

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
        instructor_token="fuzz-instructor",
    )
)
TOKEN = APP.state.tutor.create_api_learner()[1]
AUTH = {"Authorization": f"Bearer {TOKEN}"}
case_client = TestClient(APP)
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
    "POST /api/lessons/{lesson_id}/answers": {
        "not sure alone": r"`not_sure` is sent alone: leave out `value`",
    },
    "GET /api/lab/loss": {
        "same shape": r"^None of the losses can score these numbers: .*(same shape|could not be "
        r"read as)|every row needs as many",
        "class labels": r"^None of the losses can score these numbers: .*(class label|is not a "
        r"whole number|sums to .+, not 1|probabilities in \[0, 1\]|targets in \[0, 1\])",
        "both or neither": r"^y_(true|pred) is missing: the lab scores y_true and y_pred together",
    },
}


def _broken_rule(case, response) -> str | None:
    """The documented rule a 422 says the request broke, if it names one."""
    if response.status_code != 422:
        return None
    detail = response.json().get("detail")
    if isinstance(detail, list):  # a model's own rule, among the field errors
        detail = " ".join(str(error.get("msg", "")) for error in detail if isinstance(error, dict))
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
        headers=AUTH,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_are_accepted],
    )


# The same operations on the shipped lessons: a made-up lesson id ends at a 404, so the
# requests above never reach a lesson's questions. Here the lesson is a real one and, for
# answers, often the item the learner is on, so grading meets the generated option ids and
# numbers; the instructor's question view is asked for the lesson's own questions. What is
# checked: no 5xx, and every status and body as documented.
LESSONS = [lesson.id for lesson in APP.state.tutor.catalog]
on_lessons = schema.include(path_regex=r"\{lesson_id\}")


def _current_item(lesson: str, pick: random.Random) -> dict | None:
    """The item the learner is on (past any worked example), sometimes with one of its
    real options, so the answer is graded and the lesson moves on."""
    for _ in range(5):
        reply = case_client.get(f"/api/lessons/{lesson}/next", headers=AUTH).json()
        if reply.get("done"):
            return None
        item = {"question_id": reply["question"]["id"], "variant": reply["variant"]}
        if reply["question"]["kind"] != "example":
            options = reply["question"].get("options")
            if options and pick.random() < 0.5:
                # (a key of its own: generated keys repeat, and a key names one answer)
                item["option_id"] = pick.choice(options)["id"]
                item["idempotency_key"] = f"fuzz-{pick.getrandbits(64):016x}"
            return item
        case_client.post(f"/api/lessons/{lesson}/continue", json=item, headers=AUTH)
    return None


@on_lessons.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema_on_real_lessons(case):
    # (Drawn from the case itself: schemathesis will not mix strategies of our own with the
    # schema's examples.) Reproducible, as the case is.
    pick = random.Random(repr((case.body, case.query, case.path_parameters)))
    lesson, aim = pick.choice(LESSONS), pick.random() < 0.7
    case.path_parameters = {**(case.path_parameters or {}), "lesson_id": lesson}
    headers = AUTH
    if case.path.startswith("/api/instructor/"):
        headers = {"Authorization": "Bearer fuzz-instructor"}
        if aim:  # one of the lesson's own questions
            entries = sorted(APP.state.tutor.catalog.get(lesson).entries)
            case.path_parameters["question_id"] = pick.choice(entries)
    elif aim and isinstance(case.body, dict) and "question_id" in case.body:
        current = _current_item(lesson, pick)
        if current is not None:
            case.body = {**case.body, **current}
    # Neither acceptance check applies: the lesson, the item and the token are rewritten, so
    # whether the case was generated valid or invalid no longer says what is sent (the test
    # above holds the API to both).
    case.call_and_validate(
        headers=headers, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
