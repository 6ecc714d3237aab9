"""Placeholders are bounded: a placeholder that asks for a huge number, a huge text or
endless loops is stopped at once with an error that says what it asked for."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.lessons.templates import PlaceholderTooCostly, evaluate, render

DATA = Path(__file__).parents[1] / "data"

BOMBS = {
    "{{ 9**(9**8) }}": "number of about 172,186,884 bits",
    "{{ 'x' * 10**9 }}": "1,000,000,000 long",
    "{{ [0] * 10**8 }}": "100,000,000 long",
    "{{ 'x' | center(10**9) }}": "1,000,000,000 long",
    "{{ 'x'.ljust(10**9) }}": "1,000,000,000 long",
    "{{ [1, 2] | map('center', 10**9) | list }}": "1,000,000,000 long",
    "{{ '%0999999d' % 1 }}": "999,999 long",
    "{{ '{:>999999}'.format(1) }}": "999,999 long",
    "{{ 'ab' | replace('', 'x' * 10000) }}": "30,002 long",
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}": "1 s",
    "{% for i in range(99999) %}{{ i }}{% endfor %}": "long",
}


@pytest.mark.parametrize("source", BOMBS)
def test_a_costly_placeholder_is_stopped_with_a_clear_error(source: str):
    started = time.thread_time()  # the work done, whatever else the machine is doing
    with pytest.raises(PlaceholderTooCostly, match=BOMBS[source]):
        render(source, {})
    assert time.thread_time() - started < 2


def test_a_costly_answer_expression_is_stopped():
    with pytest.raises(PlaceholderTooCostly, match="bits"):
        evaluate("x ** (9 ** 8)", {"x": 9})


def test_ordinary_placeholders_still_work():
    assert render("{{ 10**40 }}", {}) == "1" + "0" * 40
    assert render("{{ (2 ** 0.5) | num(3) }} and {{ 'In 2024 we had %s' % 3 }}", {}).startswith(
        "1.414 and In 2024 we had 3"
    )
    assert render("{% for i in range(3) %}{{ i * 2 }}{% endfor %}", {}) == "024"


@pytest.mark.parametrize(
    ("words", "shown"),
    [("ear shape", "Ear shape"), ("DNA strands", "DNA strands"), ("", ""), ("x-ray", "X-ray")],
)
def test_capitalize_raises_the_first_letter_and_keeps_the_rest_as_written(words, shown):
    # A learner's own topic words keep their capitals ("DNA", not "Dna").
    assert render("{{ w | capitalize }}", {"w": words}) == shown


def test_validate_reports_a_costly_placeholder_at_its_line_and_does_not_hang(tmp_path: Path):
    source = (DATA / "mini.yaml").read_text()
    bomb = source.replace(
        "intro: Squares, then the mean.", 'intro: "Squares {{ 9**(9**8) }} then the mean."'
    )
    assert bomb != source
    (tmp_path / "bomb.yaml").write_text(bomb)
    started = time.monotonic()
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert time.monotonic() - started < 20
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(bomb.splitlines(), 1) if "9**(9**8)" in text)
    assert f"bomb.yaml:{line}:" in result.stdout
    assert "write it as a decimal instead" in result.stdout


def test_waiting_is_not_work_a_text_that_waits_its_turn_still_renders():
    """The bound is CPU time: a busy server may keep a thread waiting for seconds, and a
    cheap text must not fail for it (a sleep stands in for the wait)."""

    def nap() -> str:
        time.sleep(1.3)
        return "done"

    assert render("{{ nap() }} in time", {"nap": nap}) == "done in time"
