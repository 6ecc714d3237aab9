"""The loss and descent labs through HTTP: the page, its fragment and its JSON twin agree."""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tutor.app import SWAGGER_UI
from tutor.config import ROOT
from tutor.engine import breakdown, losses
from tutor.render.numbers import format_number as num
from tutor.teaching.labs import loss_lab_url, parse_values

HOUSES = ([260, 290, 200, 410], [250, 300, 180, 400])
SPAM = ([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3])


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def results(client: TestClient, y_true, y_pred, eps=None) -> dict[str, str]:
    """The page's summary of the four losses: name to value or "does not apply"."""
    response = client.get(loss_lab_url(y_true, y_pred, eps))
    assert response.status_code == 200, response.text
    soup = soup_of(response)
    names = [dt.get_text() for dt in soup.select(".losses dt")]
    return dict(zip(names, (dd.get_text() for dd in soup.select(".losses dd")), strict=True))


@pytest.mark.parametrize(
    ("source", "values"),
    [
        ("1, 2, 3", [1, 2, 3]),
        ("1 2\t3", [1, 2, 3]),
        ("−0.5, 1e-3", [-0.5, 0.001]),
        ("0.7 0.2 0.1; 0.1, 0.8, 0.1;", [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]),
    ],
)
def test_numbers_are_read_as_people_type_them(source, values):
    assert parse_values(source, "x") == values


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1, two", "x: 'two' is not a number"),
        ("", "x: type at least one number"),
        ("1, inf", "x: 'inf' is not a finite number"),
        ("1 2; 3", "x: row 2 has 1 numbers but row 1 has 2"),
        (", ".join(["1"] * 61), "x: at most 60 numbers"),
    ],
)
def test_unreadable_numbers_are_named(source, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_values(source, "x")


def test_the_house_prices_get_mse_and_mae_and_say_why_cross_entropy_does_not_apply(client):
    found = results(client, *HOUSES)
    assert found["Mean squared error"] == num(losses.mse(*HOUSES)) == "175"
    assert found["Mean absolute error"] == "12.5"
    assert found["Binary cross-entropy"] == found["Categorical cross-entropy"] == "does not apply"
    page = soup_of(client.get(loss_lab_url(*HOUSES)))
    why = page.select_one("#result-bce").find_next("p").get_text()
    assert "y_true must hold targets in [0, 1]" in why and "260" in why


def test_a_very_wrong_prediction_moves_mse_far_more_than_mae(client):
    wild = [500, 300, 180, 400]
    found = results(client, HOUSES[0], wild)
    assert found["Mean squared error"] == num(losses.mse(HOUSES[0], wild)) == "14550"
    assert found["Mean absolute error"] == "70"
    page = soup_of(client.get(loss_lab_url(HOUSES[0], wild)))
    titles = [f.select_one("svg title").get_text() for f in page.select("figure.plot")]
    assert titles == ["MSE against MAE as one error grows"]


def test_turning_0_9_into_0_5_for_a_true_spam_email(client):
    before = results(client, *SPAM)
    after = results(client, SPAM[0], [0.5, 0.1, 0.8, 0.3])
    assert before["Binary cross-entropy"] == num(losses.binary_cross_entropy(*SPAM)) == "0.1976"
    assert float(after["Binary cross-entropy"]) > float(before["Binary cross-entropy"])
    # With two classes the categorical cross-entropy is the binary one.
    assert after["Categorical cross-entropy"] == after["Binary cross-entropy"]


def test_a_prediction_of_exactly_0_for_a_true_1_is_clipped(client):
    found = results(client, [1], [0])
    assert found["Binary cross-entropy"] == num(-math.log(1e-15)) == "34.54"
    page = soup_of(client.get(loss_lab_url([1], [0])))
    assert "clipped to 1e-15" in page.select_one("#result-bce").find_parent("section").get_text()
    assert results(client, [1], [0], eps=1e-7)["Binary cross-entropy"] == num(-math.log(1e-7))


def test_rows_of_class_probabilities_get_categorical_cross_entropy(client):
    found = results(client, [0, 1], [[0.7, 0.2, 0.1], [0.7, 0.2, 0.1]])
    expected = (-math.log(0.7) - math.log(0.2)) / 2
    assert found["Categorical cross-entropy"] == num(expected)
    assert found["Mean squared error"] == "does not apply"


@pytest.mark.parametrize(
    ("query", "message", "in_the_twin"),
    [
        (
            {"y_true": "1, 0", "y_pred": "0.5, maybe"},
            "predictions: 'maybe' is not a number",
            ("y_pred", "'0.5, maybe' is not a list of numbers"),
        ),
        (
            {"y_true": "1, 0, 1", "y_pred": "0.5, 0.5"},
            "y_true and y_pred must have the same shape",
            "y_true and y_pred must have the same shape",
        ),
        (
            {"y_true": "1", "y_pred": "0.5", "eps": "0.7"},
            "eps must be from 1e-16 up to (not including) 0.5, got 0.7",
            ("eps", "Input should be less than 0.5"),
        ),
        (
            {"y_true": "1", "y_pred": "1", "eps": "1e-20"},
            "eps must be at least 1e-16, got 1e-20: with less, 1 - eps is 1 in float64",
            ("eps", "Input should be at least 1e-16"),
        ),
    ],
)
def test_bad_input_is_named_beside_the_form_and_as_a_422(client, query, message, in_the_twin):
    page = client.get("/lab/loss", params=query)
    assert page.status_code == 422
    soup = soup_of(page)
    error = soup.select_one("#lab-results .error")
    assert error is not None and message in error.get_text()
    assert soup.select_one("form.lab input[name=y_pred]")["value"] == query["y_pred"]
    # The twin checks its schema first (its field errors), then reads as the page does.
    twin = client.get("/api/lab/loss", params=query)
    assert twin.status_code == 422
    detail = twin.json()["detail"]
    if isinstance(in_the_twin, str):
        assert in_the_twin in detail
    else:
        field, said = in_the_twin
        assert detail[0]["loc"] == ["query", field] and detail[0]["msg"].startswith(said)


def test_probabilities_outside_0_and_1_only_rule_out_the_cross_entropies(client):
    twin = client.get("/api/lab/loss", params={"y_true": "1, 0", "y_pred": "1.5, 0"})
    assert twin.status_code == 200
    applies = {loss["key"]: loss["applies"] for loss in twin.json()["losses"]}
    assert applies == {"mse": True, "mae": True, "bce": False, "cce": False}
    why = twin.json()["losses"][2]["why"]
    assert "y_pred must hold probabilities in [0, 1]" in why


def test_the_json_twin_and_the_fragment_match_the_page(client):
    query = {"y_true": "1, 0, 1, 0", "y_pred": "0.9, 0.1, 0.8, 0.3"}
    twin = client.get("/api/lab/loss", params=query).json()
    page = soup_of(client.get("/lab/loss", params=query))
    fragment = soup_of(client.get("/lab/loss/results", params=query))
    values = [num(loss["loss"]) for loss in twin["losses"]]
    assert [dd.get_text() for dd in page.select(".losses dd")] == values
    assert [dd.get_text() for dd in fragment.select(".losses dd")] == values
    assert fragment.select_one("html, header, form") is None  # only the results
    items = twin["losses"][2]["breakdown"]["items"]
    assert [i["term"] for i in items] == [
        i.term for i in breakdown.breakdown("bce", [1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3]).items
    ]
    assert [f["key"] for f in twin["figures"]] == ["fig-curves", "fig-outlier"]
    assert twin["figures"][0]["svg"].startswith("<svg")


def test_every_try_this_link_opens_a_working_lab(client):
    page = soup_of(client.get("/lab/loss"))
    links = [a["href"] for a in page.select(".try a")]
    wanted = [
        loss_lab_url(HOUSES[0], [500, 300, 180, 400]),
        loss_lab_url(SPAM[0], [0.5, 0.1, 0.8, 0.3]),
        loss_lab_url([1], [0]),
        loss_lab_url(*HOUSES),
    ]
    assert all(link in links for link in wanted)
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.fixture
def lessons_dir():
    return ROOT / "lessons"


def test_loss_steps_link_to_the_lab_filled_with_their_example(client):
    page = soup_of(client.get("/lessons/loss-functions/steps/1"))
    link = page.find("a", string="Try it in the loss lab")
    query = parse_qs(urlparse(link["href"]).query)
    assert query == {"y_true": ["260, 290, 200, 410"], "y_pred": ["250, 300, 180, 400"]}
    assert results(client, *HOUSES)["Mean squared error"] == "175"


def test_the_descent_lab_walks_and_says_when_a_step_overshoots(client):
    calm = soup_of(client.get("/lab/descent", params={"lr": "1"}))
    assert "Overshoot" not in calm.select_one("#lab-results").get_text()
    assert len(calm.select(".steps-table tbody tr")) == 12
    wild = soup_of(client.get("/lab/descent", params={"lr": "20"}))
    story = wild.select_one(".story").get_text()
    assert story.startswith("Overshoot: the learning rate 20 is so large that steps 1, 7, 8, ")
    # A tiny swing around the bottom while settling is not an overshoot.
    six = soup_of(client.get("/lab/descent", params={"lr": "6"})).select_one(".story").get_text()
    assert six.startswith("Overshoot: the learning rate 6 is so large that step 1 jumped")
    assert "past the bottom" in wild.select(".steps-table tbody tr")[0].get_text()
    assert wild.select_one("figure.plot svg[role=img]") is not None
    away = client.get("/api/lab/descent", params={"valley": "bowl", "lr": "5", "start": "2"})
    assert away.json()["walk"]["ran_away"] is True
    assert "The walk ran away" in " ".join(away.json()["story"])


def test_the_descent_lab_names_bad_settings(client):
    page = client.get("/lab/descent", params={"lr": "quick"})
    assert page.status_code == 422
    assert "lr must be a number" in soup_of(page).select_one("#lab-results .error").get_text()
    twin = client.get("/api/lab/descent", params={"steps": "500"})
    assert twin.status_code == 422
    assert twin.json()["detail"] == [
        {
            "loc": ["query", "steps"],
            "msg": "Input should be less than or equal to 50",
            "type": "less_than_equal",
        }
    ]
    assert client.get("/api/lab/descent", params={"lr": "0"}).status_code == 422
    kept = client.get("/api/lab/descent", params={"lr": "0.50", "steps": "3"}).json()
    assert kept["lr"] == "0.50" and len(kept["walk"]["steps"]) == 3  # read as sent


def test_the_api_docs_load_nothing_from_another_host(client):
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
    assert sum(u.startswith(SWAGGER_UI + "/") for u in urls) == 2  # the viewer's script and css
    # (and the link to the description, for a browser without JavaScript)
    assert all(u.startswith("/static/") or u == "/openapi.json" for u in urls)
    assert "<script>" not in page.text  # started by a file, not an inline script
    assert "http://" not in page.text and "https://" not in page.text
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.get("/redoc").status_code == 404
