"""The JSON API, driven through HTTP against a real SQLite file."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import answer, answer_body, new_learner, option_with_grade, rendered

from tutor.app import create_app
from tutor.lessons.variants import VARIANTS

LESSON = "mini"


def next_item(client: TestClient, headers: dict) -> dict:
    response = client.get(f"/api/lessons/{LESSON}/next", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_lessons_are_listed_and_described(client: TestClient):
    lessons = client.get("/api/lessons").json()
    assert [lesson["id"] for lesson in lessons] == [LESSON]
    assert lessons[0]["steps"] == 2
    assert lessons[0]["topics"] == [
        {"id": "cats", "label": "Cat photos"},
        {"id": "spam", "label": "Spam filter"},
    ]
    lesson = client.get(f"/api/lessons/{LESSON}").json()
    assert [s["title"] for s in lesson["steps"]] == ["Loss", "Compute an MSE"]
    assert lesson["skills"][1] == {
        "id": "compute",
        "name": "Computing an MSE",
        "requires": ["score"],
    }
    assert len(lesson["version"]) == 16


def test_a_step_shows_its_texts_example_and_questions_but_never_grades(client: TestClient):
    step = client.get(f"/api/lessons/{LESSON}/steps/1?topic=spam").json()
    assert step["n"] == 1 and step["of"] == 2 and step["topic"] == "spam"
    assert step["intro"] == "A loss scores an email."
    assert step["example"]["kind"] == "loss"
    assert step["example"]["labels"] == ["an email 1", "an email 2"]
    items = step["example"]["breakdown"]["items"]
    assert items[1]["clipped"] is True  # a prediction of exactly 0
    assert step["questions"][0]["prompt"].startswith("The network said 0.2 for an email")
    assert step["questions"][0]["options"][-1] == {"id": "not_sure", "text": "I'm not sure"}
    text = str(step)
    for secret in ("exactly", "not_quite", "feedback", "grade"):
        assert secret not in text


def test_unknown_ids_are_404_with_a_message(client: TestClient):
    assert client.get("/api/lessons/nope").json() == {
        "detail": "no lesson 'nope'; see /api/lessons for the lessons there are"
    }
    response = client.get(f"/api/lessons/{LESSON}/steps/3")
    assert response.status_code == 404
    assert response.json()["detail"] == "lesson 'mini' has steps 1 to 2, not 3"
    response = client.get(f"/api/lessons/{LESSON}/steps/1?topic=dogs")
    assert response.status_code == 404 and "topics: cats, spam" in response.json()["detail"]


def test_learner_calls_need_a_bearer_token(client: TestClient):
    response = client.get(f"/api/lessons/{LESSON}/next")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    response = client.get(f"/api/lessons/{LESSON}/next", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "that bearer token is not known"}


def test_next_is_the_first_question_with_not_sure_last(client: TestClient):
    headers = new_learner(client)
    nxt = next_item(client, headers)
    assert nxt["done"] is False
    assert nxt["step"] == {"n": 1, "of": 2, "id": "loss", "title": "Loss"}
    question = nxt["question"]
    assert question["id"] == "what-loss-does" and question["n"] == 1 and question["of"] == 2
    assert question["role"] == "main"
    assert len(question["options"]) == 4
    assert question["options"][-1]["id"] == "not_sure"
    assert next_item(client, headers) == nxt  # stable until answered


def test_exactly_moves_straight_on_with_the_bridge(client: TestClient):
    headers = new_learner(client)
    result = answer(client, headers, LESSON, "exactly")
    assert result["grade"] == "exactly" and result["label"] == "Exactly"
    assert result["feedback"] == "Yes: one number, 1.61 here."
    assert result["another_way"] is None
    assert result["bridge"] == "Now the order."
    assert result["next"]["question"]["id"] == "order"
    assert result["next"]["question"]["n"] == 2


def test_a_miss_explains_another_way_then_checks_the_same_skill(client: TestClient):
    headers = new_learner(client)
    result = answer(client, headers, LESSON, "not_quite")
    assert result["grade"] == "not_quite" and result["label"] == "Not quite"
    assert result["feedback"] == "Not yet"
    assert result["another_way"]["angle"] in ("analogy", "numbers")
    assert result["bridge"] is None
    check = result["next"]["question"]
    assert check["id"] == "what-loss-does-again" and check["role"] == "check"
    assert result["message"] == "Let's check the same idea with another question."
    follow = answer(client, headers, LESSON, "exactly")
    assert follow["next"]["question"]["id"] == "order"


def test_every_variant_handed_out_is_one_the_validator_checked(client: TestClient):
    """Variants come from a question's fixed set (seeds 0 to VARIANTS - 1), each rendered by
    `tutor validate` in every topic: a learner never gets numbers that were not checked."""
    given = []
    for _ in range(4):
        headers = new_learner(client)
        given.append(next_item(client, headers)["variant"])
        for grade in ("not_quite", "not_quite", "exactly", "exactly"):
            reply = answer(client, headers, LESSON, grade)
            if reply["next"]["variant"] is not None:
                given.append(reply["next"]["variant"])
    assert len(given) > 10 and set(given) <= set(range(VARIANTS))


def test_not_sure_gets_its_own_answer(client: TestClient):
    headers = new_learner(client)
    result = answer(client, headers, LESSON, "not_sure")
    assert (result["grade"], result["label"]) == ("not_sure", "Not sure")
    assert result["feedback"] == "It scores the miss."
    assert result["another_way"] is not None


def test_numeric_answers_right_by_mistake_and_unrecognised(client: TestClient):
    headers = new_learner(client)
    answer(client, headers, LESSON, "exactly")
    finished = answer(client, headers, LESSON, "exactly")
    assert finished["step_finished"] is True
    assert finished["takeaway"] == "A loss is one number."
    assert finished["next_step"] == "Next, compute one."
    nxt = finished["next"]
    assert nxt["question"]["kind"] == "numeric"
    assert nxt["question"]["options"] == [{"id": "not_sure", "text": "I'm not sure"}]
    question = rendered(client, LESSON, nxt)
    summed = next(m.value for m in question.mistakes if m.mistake == "sum_instead_of_mean")
    body = {"question_id": question.id, "variant": question.seed, "value": str(summed)}
    result = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body).json()
    assert result["grade"] == "close" and result["mistake"] == "sum_instead_of_mean"
    assert result["feedback"] == "You added them up; now divide by 2."
    check = result["next"]
    assert check["question"]["id"] == "mse-number" and check["variant"] != question.seed
    wrong = client.post(
        f"/api/lessons/{LESSON}/answers",
        headers=headers,
        json=answer_body(client, LESSON, check, "not_quite"),
    ).json()
    assert wrong["grade"] == "not_quite" and wrong["mistake"] is None
    right = answer(client, headers, LESSON, "exactly")
    assert right["grade"] == "exactly"
    assert right["feedback"].startswith("The squared errors average to")


def test_typed_numbers_are_read_the_way_people_write_them(client: TestClient):
    headers = new_learner(client)
    answer(client, headers, LESSON, "exactly")
    nxt = answer(client, headers, LESSON, "exactly")["next"]
    question = rendered(client, LESSON, nxt)
    # A decimal comma (four decimals: "4,500" could also be four thousand five hundred).
    typed = f"  {question.answer:.4f} ".replace(".", ",")
    body = {"question_id": question.id, "variant": question.seed, "value": typed}
    result = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body)
    assert result.json()["grade"] == "exactly"


def test_a_stale_answer_is_a_409_and_changes_nothing(client: TestClient):
    headers = new_learner(client)
    first = next_item(client, headers)
    body = answer_body(client, LESSON, first, "exactly")
    assert (
        client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body).status_code == 200
    )
    before = next_item(client, headers)
    again = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body)
    assert again.status_code == 409
    assert "is not the current item" in again.json()["detail"]
    assert next_item(client, headers) == before


def test_bad_answers_are_422_with_a_message(client: TestClient):
    headers = new_learner(client)
    nxt = next_item(client, headers)
    url = f"/api/lessons/{LESSON}/answers"
    base = {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
    response = client.post(url, headers=headers, json={**base, "option_id": "zzz"})
    assert response.status_code == 422
    assert response.json() == {"detail": "option_id: 'zzz' is not an option of this question"}
    response = client.post(url, headers=headers, json=base)
    assert response.status_code == 422
    response = client.post(url, headers=headers, json={**base, "variant": "x", "option_id": "a"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "variant"]
    response = client.post(url, headers=headers, json={**base, "extra": 1})
    assert response.status_code == 422
    assert next_item(client, headers) == nxt


def test_an_idempotency_key_records_a_retry_once(client: TestClient):
    headers = new_learner(client)
    nxt = next_item(client, headers)
    body = {**answer_body(client, LESSON, nxt, "not_quite"), "idempotency_key": "k-1"}
    url = f"/api/lessons/{LESSON}/answers"
    first = client.post(url, headers=headers, json=body)
    second = client.post(url, headers=headers, json=body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    with client.app.state.tutor.db.reading() as session:
        from sqlalchemy import func, select

        from tutor.store.tables import Attempt

        assert session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_progress_and_resume_after_the_app_is_rebuilt(client: TestClient, settings):
    headers = new_learner(client)
    answer(client, headers, LESSON, "exactly")
    answer(client, headers, LESSON, "not_quite")
    before = next_item(client, headers)
    with TestClient(create_app(settings)) as rebuilt:
        assert next_item(rebuilt, headers) == before
        progress = rebuilt.get("/api/learners/me/progress", headers=headers).json()
    lesson = progress["lessons"][0]
    assert lesson["lesson_id"] == LESSON and lesson["started"] is True
    assert lesson["steps"] == ["in_progress", "not_started"]
    assert lesson["position"]["n"] == 1 and lesson["question_id"] == before["question"]["id"]
    skills = {s["id"]: s for s in lesson["skills"]}
    assert skills["score"]["attempts"] == 2 and skills["score"]["label"] == "getting there"
    assert skills["compute"]["label"] == "not started"


def test_one_learner_cannot_see_or_move_another(client: TestClient):
    alice, bob = new_learner(client), new_learner(client)
    answer(client, alice, LESSON, "exactly")
    assert next_item(client, bob)["question"]["id"] == "what-loss-does"
    assert (
        client.get("/api/learners/me/progress", headers=bob).json()["lessons"][0]["started"]
        is False
    )
    alice_next = next_item(client, alice)
    body = answer_body(client, LESSON, alice_next, "exactly")
    response = client.post(f"/api/lessons/{LESSON}/answers", headers=bob, json=body)
    assert response.status_code == 409
    assert next_item(client, alice) == alice_next


def test_switching_topic_re_renders_and_is_remembered(client: TestClient):
    headers = new_learner(client)
    response = client.put(f"/api/lessons/{LESSON}/topic", headers=headers, json={"topic": "spam"})
    assert response.status_code == 200
    assert "an email that is spam" in response.json()["question"]["prompt"]
    assert next_item(client, headers)["topic"] == "spam"
    response = client.put(f"/api/lessons/{LESSON}/topic", headers=headers, json={"topic": "dogs"})
    assert response.status_code == 404
    response = client.put(f"/api/lessons/{LESSON}/topic", headers=headers, json={})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "give either `topic` (a ready topic's id) or `custom` (your words)"
    )


def test_the_whole_lesson_to_done(client: TestClient):
    headers = new_learner(client)
    grades = []
    for _ in range(30):
        nxt = next_item(client, headers)
        if nxt["done"]:
            break
        grades.append(answer(client, headers, LESSON, "exactly")["grade"])
    assert grades == ["exactly"] * 3  # each question once and nothing more
    assert next_item(client, headers) == {
        "done": True,
        "step": None,
        "question": None,
        "variant": None,
        "topic": "cats",
        "offer": None,
        "session": None,
        "ladder": None,
        "studied": None,
    }
    nxt_answer = client.post(
        f"/api/lessons/{LESSON}/answers",
        headers=headers,
        json={"question_id": "order", "variant": 1, "option_id": "x"},
    )
    assert nxt_answer.status_code == 409


def test_losses_endpoint_computes_with_the_engine(client: TestClient):
    response = client.post(
        "/api/losses/mse", json={"y_true": [260, 290, 200, 410], "y_pred": [250, 300, 180, 400]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["loss"] == 175.0 and body["eps"] is None
    assert [item["term"] for item in body["items"]] == [100.0, 100.0, 400.0, 100.0]
    assert body["gradient"] == [-5.0, 5.0, -10.0, -5.0]
    bce = client.post("/api/losses/bce", json={"y_true": [1], "y_pred": [0.0]}).json()
    assert bce["items"][0]["clipped"] is True and bce["eps"] == 1e-15
    assert bce["gradient"] == [0.0] and "clipped" in bce["note"] and "item 0" in bce["note"]
    assert body["note"] is None
    bad = client.post("/api/losses/mse", json={"y_true": [1, 2], "y_pred": [1]})
    assert bad.status_code == 422 and "y_pred" in bad.json()["detail"]
    assert (
        client.post("/api/losses/mse", json={"y_true": [1], "y_pred": [1], "eps": 0.1}).status_code
        == 422
    )
    assert client.post("/api/losses/huber", json={"y_true": [1], "y_pred": [1]}).status_code == 422


def test_grades_never_leak_into_next(client: TestClient):
    headers = new_learner(client)
    nxt = next_item(client, headers)
    option_with_grade(client, LESSON, nxt, "exactly")
    assert "grade" not in str(nxt) and "feedback" not in str(nxt)


def test_a_check_is_numbered_as_the_question_it_checks(client: TestClient):
    """A check written under question 1 but asked after a miss on question 2 of the same
    skill reads "Question 2 of 2"."""
    headers = new_learner(client)
    answer(client, headers, LESSON, "exactly")  # question 1 right: on to `order`
    result = answer(client, headers, LESSON, "not_quite")
    check = result["next"]["question"]
    assert check["role"] == "check" and check["id"] == "what-loss-does-again"
    assert (check["n"], check["of"]) == (2, 2)


def test_a_restart_keeps_what_the_tutor_knows_of_the_learners_skills(client: TestClient):
    headers = new_learner(client)
    for _ in range(3):
        answer(client, headers, LESSON, "exactly")

    def skills() -> dict:
        summary = client.get(f"/api/lessons/{LESSON}/summary", headers=headers).json()
        return {s["id"]: (s["p_known"], s["standing"]) for s in summary["skills"]}

    before = skills()
    assert all(p > 0.85 for p, _ in before.values())  # every item right at first sight
    again = client.post(f"/api/lessons/{LESSON}/restart", headers=headers).json()
    assert skills() == before  # the estimate rested on this learner's first tries: kept
    assert again["question"]["id"] == "what-loss-does"  # and the lesson starts over
    answer(client, headers, LESSON, "exactly")
    assert skills()["score"][0] >= before["score"][0]


def test_a_finished_lesson_can_be_gone_through_again(client: TestClient):
    headers = new_learner(client)
    for _ in range(3):
        answer(client, headers, LESSON, "exactly")
    assert next_item(client, headers)["done"] is True
    again = client.post(f"/api/lessons/{LESSON}/restart", headers=headers)
    assert again.status_code == 200
    assert again.json()["question"]["id"] == "what-loss-does"
    assert next_item(client, headers) == again.json()
    progress = client.get("/api/learners/me/progress", headers=headers).json()["lessons"][0]
    assert progress["steps"] == ["not_started", "not_started"]
    assert {s["id"]: s["attempts"] for s in progress["skills"]} == {"score": 2, "compute": 1}
    assert client.post(f"/api/lessons/{LESSON}/restart").status_code == 401


def test_an_idempotency_key_cannot_carry_a_different_answer(client: TestClient):
    headers = new_learner(client)
    nxt = next_item(client, headers)
    url = f"/api/lessons/{LESSON}/answers"
    body = {**answer_body(client, LESSON, nxt, "not_quite"), "idempotency_key": "k-2"}
    assert client.post(url, headers=headers, json=body).status_code == 200
    other = {**answer_body(client, LESSON, nxt, "exactly"), "idempotency_key": "k-2"}
    response = client.post(url, headers=headers, json=other)
    assert response.status_code == 422
    assert "already used for a different answer" in response.json()["detail"]


def test_a_choice_question_takes_an_option_not_a_value(client: TestClient):
    headers = new_learner(client)
    nxt = next_item(client, headers)
    body = {**answer_body(client, LESSON, nxt, "exactly"), "value": 3}
    response = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body)
    assert response.status_code == 422
    assert next_item(client, headers) == nxt


def test_a_database_too_busy_to_lend_a_connection_is_a_503_to_retry(client, monkeypatch):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    headers = new_learner(client)
    tutor = client.app.state.tutor

    def busy(*_args, **_kwargs):
        raise PoolTimeout("QueuePool limit of size 20 overflow 0 reached")

    monkeypatch.setattr(tutor, "current", busy)
    response = client.get("/api/lessons/mini/next", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "try again" in response.json()["detail"]
    page = client.get("/lessons/mini")
    assert page.status_code == 503 and "try again" in page.text


def test_a_lost_database_connection_is_a_503_to_retry_and_the_next_try_works(client):
    from sqlalchemy.exc import OperationalError

    headers = new_learner(client)
    tutor = client.app.state.tutor
    real_current = tutor.current
    failures = [OperationalError("SELECT", {}, Exception("the connection is lost"))]

    def drops_once(*args, **kwargs):
        if failures:
            raise failures.pop()
        return real_current(*args, **kwargs)

    tutor.current = drops_once
    response = client.get("/api/lessons/mini/next", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "try again" in response.json()["detail"]
    assert client.get("/api/lessons/mini/next", headers=headers).status_code == 200
    failures.append(OperationalError("SELECT", {}, Exception("the connection is lost")))
    page = client.get("/lessons/mini")
    assert page.status_code == 503 and "try again" in page.text


def test_a_worker_runs_no_more_requests_at_once_than_its_threads(settings):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    app = create_app(settings.model_copy(update={"threads": 2}))
    running, most, lock = 0, 0, threading.Lock()
    with TestClient(app) as client:
        headers = new_learner(client)
        tutor = client.app.state.tutor
        real_lesson = tutor.lesson

        def slow_lesson(*args, **kwargs):
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.2)
            with lock:
                running -= 1
            return real_lesson(*args, **kwargs)

        tutor.lesson = slow_lesson
        # A route that runs in a worker thread (a `def` route) on either database.
        with ThreadPoolExecutor(5) as pool:
            replies = list(
                pool.map(lambda _: client.get("/api/lessons/mini", headers=headers), range(5))
            )
    assert [r.status_code for r in replies] == [200] * 5
    assert most == 2
