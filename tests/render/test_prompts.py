"""A question's prompt set out for a form: a legend holds one line of text, so a prompt with
a list has its list above the legend, and the question itself in it."""

from __future__ import annotations

from tutor.render.markdown import prompt_parts

RUNS = """Three runs each logged a training loss:

- Run A: 0.9, 0.5
- Run B: 0.8, 0.7

Which run is **memorising**?"""


def test_a_prompt_of_one_paragraph_is_all_legend():
    lead, asked = prompt_parts("What does a *loss* do?")
    assert lead == "" and asked == "What does a <em>loss</em> do?"


def test_a_list_is_set_out_above_the_question():
    lead, asked = prompt_parts(RUNS)
    assert "<ul>" in lead and lead.count("<li>") == 2
    assert "<p>Three runs each logged a training loss:</p>" in lead
    assert asked == "Which run is <strong>memorising</strong>?"


def test_a_prompt_ending_in_a_list_keeps_it_all_in_the_legend():
    ending = "Pick the run:\n\n- Run A\n- Run B"
    lead, asked = prompt_parts(ending)
    assert lead == "" and "Run A" in asked and "<li>" not in asked
