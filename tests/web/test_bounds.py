"""Bounded work: oversized bodies and arrays are refused with a clear error, and the API
reads JSON numbers as numbers (no `true` for 1, no text for a number)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from helpers import new_learner

from tutor.teaching.labs import MAX_ITEMS
from tutor.web.schemas import LOSS_ITEMS


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(client: TestClient):
    limit = client.app.state.settings.max_body_bytes
    big = b'{"y_true": [' + b"1," * limit + b'1], "y_pred": [1]}'
    response = client.post(
        "/api/losses/mse", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert f"{limit:,}-byte limit" in response.json()["detail"]


def test_a_chunked_body_over_the_limit_is_refused_with_413(client: TestClient):
    limit = client.app.state.settings.max_body_bytes

    def chunks():
        yield b'{"y_true": ['
        for _ in range(limit // 1000 + 2):
            yield b"1," * 500
        yield b'1], "y_pred": [1]}'

    response = client.post(
        "/api/losses/mse", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_a_page_form_over_the_limit_gets_a_413_page(client: TestClient):
    limit = client.app.state.settings.max_body_bytes
    response = client.post("/lessons/mini/answer", content=b"x" * (limit + 1))
    assert response.status_code == 413
    assert "limit" in response.text


def test_loss_arrays_longer_than_the_limit_are_refused(client: TestClient):
    many = [0.5] * (LOSS_ITEMS + 1)
    response = client.post("/api/losses/mse", json={"y_true": many, "y_pred": many})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"][:2] == ["body", "y_true"]
    assert f"at most {LOSS_ITEMS}" in detail[0]["msg"]
    wide = [[1 / (LOSS_ITEMS + 1)] * (LOSS_ITEMS + 1)]
    assert client.post("/api/losses/cce", json={"y_true": [0], "y_pred": wide}).status_code == 422
    ok = [0.5] * LOSS_ITEMS
    assert client.post("/api/losses/mse", json={"y_true": ok, "y_pred": ok}).status_code == 200


def test_empty_loss_arrays_are_refused_by_the_schema(client: TestClient):
    response = client.post("/api/losses/mse", json={"y_true": [], "y_pred": []})
    assert response.status_code == 422
    assert "at least 1" in response.json()["detail"][0]["msg"]


def test_the_loss_limits_are_in_the_openapi_schema(client: TestClient):
    spec = client.get("/openapi.json").json()
    loss_in = spec["components"]["schemas"]["LossIn"]["properties"]
    flat = loss_in["y_true"]["anyOf"][0]
    assert flat["maxItems"] == LOSS_ITEMS and flat["minItems"] == 1
    rows = loss_in["y_true"]["anyOf"][1]
    assert rows["items"]["maxItems"] == LOSS_ITEMS
    eps = loss_in["eps"]["anyOf"][0]
    assert eps["minimum"] == 1e-16 and eps["exclusiveMaximum"] == 0.5
    assert "413" in spec["paths"]["/api/losses/{name}"]["post"]["responses"]


def test_json_true_is_not_the_number_1(client: TestClient):
    response = client.post("/api/losses/mse", json={"y_true": [True], "y_pred": [1]})
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["detail"]]
    assert "true is not a number: send a number, such as 0.5" in messages
    headers = new_learner(client)
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    body = {"question_id": nxt["question"]["id"], "variant": True, "option_id": "not_sure"}
    response = client.post("/api/lessons/mini/answers", headers=headers, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "variant"]
    assert response.json()["detail"][0]["msg"] == "true is not a whole number: send one, such as 3"
    # A value no member of a union takes is told once, not once per member.
    for value, said in (
        (True, "true is not a number: send a number, such as 0.5"),
        ([0.25], "Input should be a valid number"),
    ):
        body = {"question_id": nxt["question"]["id"], "variant": nxt["variant"], "value": value}
        response = client.post("/api/lessons/mini/answers", headers=headers, json=body)
        assert response.status_code == 422
        assert [e["msg"] for e in response.json()["detail"]] == [said]


def test_an_answer_with_no_body_says_what_to_send(client: TestClient):
    headers = new_learner(client)
    response = client.post("/api/lessons/mini/answers", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body"],
            "msg": "the body is missing: send a JSON object, with Content-Type: application/json",
            "type": "missing",
        }
    ]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"[" * 5000 + b"]" * 5000, "the body's JSON nests too deeply to be read"),
        (b'{"a": ' * 3000 + b"1" + b"}" * 3000, "the body's JSON nests too deeply to be read"),
        (b'{"question_id": "q", "variant": ' + b"9" * 5000 + b"}", "far too many digits"),
        (b'{"question_id": "q\xff", "variant": 1}', "the body is not UTF-8 text (byte 18)"),
    ],
    ids=["deep-list", "deep-object", "long-integer", "not-utf-8"],
)
def test_json_past_the_parser_s_limits_says_what_was_wrong(client: TestClient, body, said):
    """These were all "There was an error parsing the body", which names nothing."""
    headers = {**new_learner(client), "content-type": "application/json"}
    for url in ("/api/lessons/mini/answers", "/api/losses/mse"):
        refused = client.post(url, headers=headers, content=body)
        assert refused.status_code == 400, refused.text
        assert said in refused.json()["detail"]


@pytest.mark.parametrize("text", [b'"\\ud800"', b'"\xed\xa0\x80"'], ids=["escaped", "raw"])
def test_a_lone_surrogate_in_text_is_named_as_not_unicode(client: TestClient, text):
    """JSON lets a lone surrogate through; Pydantic said "unable to parse raw data as a
    unicode string", which says nothing of what to send."""
    headers = {**new_learner(client), "content-type": "application/json"}
    body = b'{"question_id": ' + text + b', "variant": 1}'
    refused = client.post("/api/lessons/mini/answers", headers=headers, content=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["msg"] == (
        "this text holds a character that is not valid Unicode: send UTF-8 text"
    )


def test_text_nan_in_a_number_field_is_not_a_number(client: TestClient):
    response = client.post("/api/losses/mse", json={"y_true": [1], "y_pred": ["nan"]})
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["detail"]]
    assert "'nan' is not a number: send a JSON number, such as 0.5" in messages


def test_a_body_that_is_not_json_is_a_400_as_documented_and_says_what_to_send(
    client: TestClient,
):
    headers = {**new_learner(client), "content-type": "application/json"}
    url = "/api/lessons/mini/answers"
    broken = client.post(url, headers=headers, content=b'{"question_id": ')
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("the body is not valid JSON at character")
    documented = client.get("/openapi.json").json()["paths"][url.replace("mini", "{lesson_id}")]
    assert "400" in documented["post"]["responses"]
    as_text = client.post(
        url, headers={**headers, "content-type": "text/plain"}, content=b'{"variant": 1}'
    )
    assert as_text.status_code == 422
    assert as_text.json()["detail"][0]["msg"] == (
        "the body must be a JSON object, sent with Content-Type: application/json"
    )
    body = {"question_id": "what-loss-does", "variant": "abc", "option_id": "not_sure"}
    wrong = client.post(url, headers=headers, json=body)
    assert wrong.json()["detail"][0]["msg"] == (
        "'abc' is not a whole number: send a JSON integer, such as 3"
    )


def test_the_loss_hints_name_no_parameter_the_api_lacks(client: TestClient):
    response = client.post("/api/losses/bce", json={"y_true": [1], "y_pred": [2.5]})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "from_logits" not in detail and "sigmoid" in detail
    rows = client.post("/api/losses/cce", json={"y_true": [0], "y_pred": [[0.5, 0.6]]})
    assert rows.status_code == 422
    assert "from_logits" not in rows.json()["detail"] and "softmax" in rows.json()["detail"]


def test_the_openapi_schema_declares_instructor_security_and_lab_responses(client: TestClient):
    from tutor.web.schemas import DescentLabOut, LossLabOut

    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["InstructorToken"]["scheme"] == "bearer"
    instructor = [
        operation
        for path, item in spec["paths"].items()
        if path.startswith("/api/instructor/")
        for operation in item.values()
    ]
    assert instructor and all({"InstructorToken": []} in o["security"] for o in instructor)
    for lab, model in (("loss", LossLabOut), ("descent", DescentLabOut)):
        ok = spec["paths"][f"/api/lab/{lab}"]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"]["$ref"].endswith(model.__name__)
        model.model_validate(client.get(f"/api/lab/{lab}").json())  # what is sent fits it
    assert "429" in spec["paths"]["/api/learners"]["post"]["responses"]


def test_the_loss_lab_names_no_parameter_it_lacks(client: TestClient):
    lab = client.get("/api/lab/loss", params={"y_true": "1, 0", "y_pred": "1.5, 0.2"}).json()
    whys = [loss["why"] for loss in lab["losses"] if loss["why"]]
    assert whys and all("from_logits" not in why for why in whys)


def _keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for value in node.values() for k in _keys(value)}
    if isinstance(node, list):
        return {k for value in node for k in _keys(value)}
    return set()


def test_the_schema_says_its_bounds_in_words_json_schema_knows(client: TestClient):
    spec = client.get("/openapi.json").json()
    # pydantic's own words (ge, le, gt, lt) mean nothing to a client: a bound said in them
    # is no bound at all, and a schema-valid request would be refused.
    assert not _keys(spec["components"]) & {"ge", "le", "gt", "lt"}
    schemas = spec["components"]["schemas"]
    assert schemas["AnswerIn"]["properties"]["variant"]["minimum"] == 0
    assert schemas["PracticeIn"]["properties"]["step"]["anyOf"][0]["minimum"] == 1
    one_of = schemas["TopicIn"]["oneOf"]
    assert [branch["required"] for branch in one_of] == [["topic"], ["custom"]]
    descent = spec["paths"]["/api/lab/descent"]["get"]["parameters"]
    lr = next(p for p in descent if p["name"] == "lr")["schema"]["anyOf"][0]
    assert lr["type"] == "number" and lr["exclusiveMinimum"] == 0


def test_a_loss_of_numbers_too_large_to_square_is_refused_by_the_schema(client: TestClient):
    response = client.post("/api/losses/mse", json={"y_true": [1e200], "y_pred": [0]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "y_true"]
    fits = client.post("/api/losses/mse", json={"y_true": [1e100], "y_pred": [-1e100]})
    assert fits.status_code == 200 and fits.json()["loss"] == 4e200


@pytest.mark.parametrize("name", ["bce", "cce"])
def test_a_clip_too_small_to_change_a_probability_of_1_is_refused(client: TestClient, name: str):
    # Below 1e-16, 1 - eps is 1 in float64: a prediction of exactly 1 stayed 1 and ln(1 - p)
    # made the loss NaN, which the JSON reply could not carry (a 500).
    perfect = {"y_true": [1, 0], "y_pred": [1.0, 0.0]}
    smallest = client.post(f"/api/losses/{name}", json={**perfect, "eps": 1e-16})
    assert smallest.status_code == 200 and 0 < smallest.json()["loss"] < 1e-15
    for eps in (1e-17, 5e-324):
        refused = client.post(f"/api/losses/{name}", json={**perfect, "eps": eps})
        assert refused.status_code == 422
        said = refused.json()["detail"][0]
        assert said["loc"] == ["body", "eps"]
        assert said["msg"] == "Input should be at least 1e-16"
    lab = client.get("/api/lab/loss", params={"y_true": "1", "y_pred": "1", "eps": "5e-324"})
    assert lab.status_code == 422 and lab.json()["detail"][0]["loc"] == ["query", "eps"]
    fine = client.get("/api/lab/loss", params={"y_true": "1", "y_pred": "1", "eps": "1e-16"})
    assert fine.status_code == 200
    assert all(loss["loss"] is not None for loss in fine.json()["losses"])


def test_cce_of_flat_predictions_is_two_classes_as_in_the_lab(client: TestClient):
    flat = client.post("/api/losses/cce", json={"y_true": [1, 0], "y_pred": [0.8, 0.4]})
    assert flat.status_code == 200
    rows = {"y_true": [1, 0], "y_pred": [[0.2, 0.8], [0.6, 0.4]]}
    same = client.post("/api/losses/cce", json=rows).json()
    bce = client.post("/api/losses/bce", json={"y_true": [1, 0], "y_pred": [0.8, 0.4]}).json()
    assert flat.json()["loss"] == same["loss"] == pytest.approx(bce["loss"])
    assert flat.json()["note"].startswith("Two classes: each prediction p is the row [1 − p, p]")
    # The gradient comes in the predictions' shape, one number per p: bce's, by the chain rule.
    assert flat.json()["gradient"] == pytest.approx(bce["gradient"])
    assert "the gradient is with respect to each p" in flat.json()["note"]
    clipped = client.post("/api/losses/cce", json={"y_true": [0, 1], "y_pred": [1.0, 0.8]})
    assert clipped.json()["gradient"] == pytest.approx([0.0, -0.625])
    outside = client.post("/api/losses/cce", json={"y_true": [1], "y_pred": [1.5]})
    assert outside.status_code == 422
    assert "y_pred must hold probabilities in [0, 1]" in outside.json()["detail"]


def test_the_loss_lab_skips_rows_of_nothing_but_separators(client: TestClient):
    lab = client.get("/api/lab/loss", params={"y_true": "1, 0;", "y_pred": ", ,;0.9, 0.2;"})
    assert lab.status_code == 200
    assert lab.json()["losses"][0]["breakdown"]["loss"] == pytest.approx(0.025)


@pytest.mark.parametrize("name", ["mse", "cce"])
def test_rows_of_different_lengths_are_refused_in_plain_words(client: TestClient, name: str):
    """The 422 says what is wrong with the rows, not what NumPy said about them."""
    reply = client.post(
        f"/api/losses/{name}",
        json={"y_true": [[1, 0], [0]], "y_pred": [[0.5, 0.5], [0.5, 0.5]]},
    )
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert "its rows are not all the same length" in detail
    assert "inhomogeneous" not in detail and "sequence" not in detail


def test_a_new_learner_takes_no_body_or_an_empty_object_and_refuses_anything_else(
    client: TestClient,
):
    assert client.post("/api/learners").status_code == 201
    assert client.post("/api/learners", json={}).status_code == 201
    broken = client.post(
        "/api/learners", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("the body is not valid JSON at character")
    named = client.post("/api/learners", json={"name": "Ada"})
    assert named.status_code == 422
    assert named.json()["detail"][0]["loc"] == ["body", "name"]
    listed = client.post("/api/learners", json=[1])
    assert listed.status_code == 422
    assert listed.json()["detail"][0]["msg"].startswith("the body must be a JSON object")
    documented = client.get("/openapi.json").json()["paths"]["/api/learners"]["post"]
    assert not documented["requestBody"].get("required", False)
    schema = documented["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/LearnerIn"} in schema["anyOf"]


def test_requests_that_take_no_fields_refuse_a_body_with_fields(client: TestClient):
    headers = new_learner(client)
    for action in ("restart", "hint"):
        sent = client.post(f"/api/lessons/mini/{action}", headers=headers, json={"x": 1})
        assert sent.status_code == 422, action
        assert sent.json()["detail"][0]["loc"] == ["body", "x"]
    assert client.post("/api/lessons/mini/restart", headers=headers, json={}).status_code == 200
    assert client.post("/api/lessons/mini/restart", headers=headers).status_code == 200


def test_a_loss_request_is_told_of_each_bad_number_once_and_plainly(client: TestClient):
    def detail(body: bytes) -> list[dict]:
        sent = client.post(
            "/api/losses/mse", content=body, headers={"content-type": "application/json"}
        )
        assert sent.status_code == 422
        return sent.json()["detail"]

    # Not also told, of a list of numbers, that each number is not a row.
    assert detail(b'{"y_true": [1, "2"], "y_pred": [1, 2]}') == [
        {
            "loc": ["body", "y_true", 1],
            "msg": "'2' is not a number: send a JSON number, such as 0.5",
            "type": "float_type",
        }
    ]
    [rows] = detail(b'{"y_true": [[1, "a"]], "y_pred": [[1, 2]]}')
    assert rows["loc"] == ["body", "y_true", 0, 1]
    [huge] = detail(b'{"y_true": [1e200], "y_pred": [1]}')
    assert huge["msg"] == "1e+200 is too large in size: send a number no larger than 1e+100"
    [endless] = detail(b'{"y_true": [1e999], "y_pred": [1]}')
    assert endless["msg"].startswith("inf is not a finite number")
    [empty] = detail(b'{"y_true": [], "y_pred": [1]}')
    assert empty["loc"] == ["body", "y_true"]


def test_a_lab_list_of_too_many_numbers_says_so(client: TestClient):
    many = " ".join(["1"] * (MAX_ITEMS + 1))
    response = client.get("/api/lab/loss", params={"y_true": many, "y_pred": many})
    assert response.status_code == 422
    said = {e["loc"][1]: e["msg"] for e in response.json()["detail"]}
    assert said == dict.fromkeys(("y_true", "y_pred"), "61 numbers are too many: give at most 60")
    typo = client.get("/api/lab/loss", params={"y_true": "1 x", "y_pred": "1 1"})
    assert typo.json()["detail"][0]["msg"].startswith("'1 x' is not a list of numbers")


def test_not_sure_with_a_number_beside_it_is_refused_not_half_read(client: TestClient):
    headers = new_learner(client)
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    item = {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
    both = {**item, "option_id": "not_sure", "value": 0.5}
    refused = client.post("/api/lessons/mini/answers", headers=headers, json=both)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == "`not_sure` is sent alone: leave out `value`"
    alone = {**item, "option_id": "not_sure"}
    taken = client.post("/api/lessons/mini/answers", headers=headers, json=alone)
    assert taken.status_code == 200 and taken.json()["grade"] == "not_sure"


def test_the_loss_lab_twin_takes_truths_and_predictions_together(client: TestClient):
    # One alone was scored against the lab's example numbers for the other, unasked.
    for given, missing in (({"y_true": "0"}, "y_pred"), ({"y_pred": "0.2"}, "y_true")):
        response = client.get("/api/lab/loss", params=given)
        assert response.status_code == 422
        assert response.json()["detail"].startswith(f"{missing} is missing: the lab scores")
    example = client.get("/api/lab/loss")
    assert example.status_code == 200 and example.json()["y_true"] == "1, 0, 1, 0"
