"""The pages' template environment: keys of plain dicts read at once, with Jinja's meaning."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from jinja2 import StrictUndefined, UndefinedError

from tutor.config import Settings
from tutor.web.pages import PageEnvironment, templates


def render(source: str, **context) -> str:
    return PageEnvironment(undefined=StrictUndefined).from_string(source).render(context)


def test_a_dicts_key_reads_as_an_attribute():
    assert render("{{ reply.grade }}", reply={"grade": "close"}) == "close"


def test_a_name_that_is_a_dict_attribute_keeps_jinjas_meaning():
    # Jinja reads `d.items` as the method, even when the dict has a key "items".
    topics = {"items": "a topic", "other": "b"}
    assert render("{{ d.items()|list|length }}", d=topics) == "2"
    assert render("{{ d.get('other') }}", d=topics) == "b"


def test_a_missing_key_is_undefined_as_before():
    with pytest.raises(UndefinedError):
        render("{{ reply.nothing }}", reply={"grade": "close"})


def test_objects_and_dict_subclasses_go_the_usual_way():
    class Reply:
        grade = "exactly"

    assert render("{{ r.grade }}", r=Reply()) == "exactly"
    ordered = OrderedDict(grade="not_quite")
    assert render("{{ r.grade }}", r=ordered) == "not_quite"


def test_the_page_templates_use_it():
    env = templates(Settings(secret_key="x")).env
    assert isinstance(env, PageEnvironment)
    assert env.autoescape("step.html") and callable(env.globals["reply"])


def test_the_topic_menu_lists_every_topic_once_with_the_chosen_one_selected():
    from pathlib import Path

    from bs4 import BeautifulSoup

    from tutor.lessons.catalog import load_catalog
    from tutor.web.pages import topic_options

    lesson = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]
    ids = list(lesson.lesson.topics)
    chosen = ids[-1]
    options = BeautifulSoup(topic_options(lesson, chosen), "html.parser").select("option")
    assert [o["value"] for o in options] == ids
    assert [o["value"] for o in options if o.has_attr("selected")] == [chosen]
    labels = [lesson.lesson.topics[i].label for i in ids]
    assert [o.get_text() for o in options] == labels
    mine = BeautifulSoup(topic_options(lesson, None), "html.parser")
    assert not mine.select("option[selected]")  # the learner's own topic is selected instead
