"""The shared misconception catalogue: tags must be listed, each idea has one skill and grade."""

from __future__ import annotations

from pathlib import Path

from test_loader import BASE, swap
from typer.testing import CliRunner

from tutor.cli import app
from tutor.lessons.catalog import load_catalog

TAGGED = swap(
    "            grade: not_quite\n            feedback: Not yet.\n",
    "            grade: not_quite\n            feedback: Not yet.\n"
    "            misconception: loss-fixes-guess\n",
)
CATALOGUE = """\
misconceptions:
  - id: loss-fixes-guess
    skill: score
    idea: The loss itself nudges the guess towards the truth.
"""


def folder(tmp_path: Path, lesson: str = TAGGED, catalogue: str = CATALOGUE) -> Path:
    (tmp_path / "lesson.yaml").write_text(lesson)
    (tmp_path / "misconceptions.yaml").write_text(catalogue)
    return tmp_path


def messages(tmp_path: Path, *, strict: bool = False) -> list[str]:
    return [str(p) for p in load_catalog([tmp_path], strict=strict).problems]


def test_a_listed_tag_loads_and_the_catalogue_is_not_a_lesson(tmp_path: Path):
    catalog = load_catalog([folder(tmp_path)], strict=True)
    assert catalog.problems == [] or all("loss-fixes" not in str(p) for p in catalog.problems)
    assert list(catalog.lessons) == ["broken"]
    assert catalog.misconceptions is not None
    assert catalog.misconceptions.by_id["loss-fixes-guess"].skill == "score"


def test_a_tag_the_catalogue_does_not_list_is_a_located_problem(tmp_path: Path):
    lesson = TAGGED.replace("loss-fixes-guess", "loss-fixes-gues")
    found = messages(folder(tmp_path, lesson))
    assert any(
        m.endswith(
            "steps[0].questions[0].options[1].misconception: misconception 'loss-fixes-gues' is "
            "not in misconceptions.yaml; add it there with its skill (did you mean "
            "'loss-fixes-guess'?)"
        )
        and ":30:28:" in m
        for m in found
    ), found
    assert load_catalog([tmp_path]).lessons == {}
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1 and "loss-fixes-gues" in result.stdout


def test_without_a_catalogue_tags_are_free(tmp_path: Path):
    (tmp_path / "lesson.yaml").write_text(TAGGED.replace("loss-fixes-guess", "anything-goes"))
    assert list(load_catalog([tmp_path]).lessons) == ["broken"]


def test_a_catalogue_skill_no_lesson_has_is_a_problem_in_the_catalogue(tmp_path: Path):
    found = messages(folder(tmp_path, catalogue=CATALOGUE.replace("skill: score", "skill: scor")))
    assert any(
        m.endswith(
            "misconceptions.yaml:2:5: loss-fixes-guess: skill 'scor' is not a skill of any lesson"
        )
        for m in found
    ), found


def test_a_lesson_that_does_not_load_is_its_own_problem_not_one_per_idea_of_its_skills(
    tmp_path: Path,
):
    folder(tmp_path)
    unused = CATALOGUE + "  - id: never-tagged\n    skill: compute\n    idea: Nobody.\n"
    (tmp_path / "misconceptions.yaml").write_text(unused)
    # The lesson holding every skill breaks: the catalogue's skills cannot be judged.
    (tmp_path / "lesson.yaml").write_text(TAGGED.replace("prompt: What", "promt: What", 1))
    other = BASE.replace("id: broken", "id: other", 1)
    for skill in ("score", "compute"):  # a lesson that loads, with skills of its own
        for field in ("id", "skill"):
            other = other.replace(f"{field}: {skill}\n", f"{field}: other-{skill}\n")
    (tmp_path / "other.yaml").write_text(other.replace("[score]", "[other-score]"))
    assert "other" in load_catalog([tmp_path]).lessons
    found = messages(tmp_path)
    assert {m.split(":", 1)[0] for m in found} == {str(tmp_path / "lesson.yaml")}, found
    advised = messages(tmp_path, strict=True)  # nor "no lesson tags this" for every idea
    assert all("misconceptions.yaml" not in m for m in advised), advised


def test_a_malformed_catalogue_is_reported_where_it_is_wrong(tmp_path: Path):
    twice = CATALOGUE + CATALOGUE.split("\n", 1)[1]
    found = messages(folder(tmp_path, catalogue=twice))
    assert any(
        "misconceptions.yaml:5:9: misconceptions[1].id: 'loss-fixes-guess' is listed twice" in m
        for m in found
    ), found
    missing = messages(folder(tmp_path, catalogue=CATALOGUE.replace("    skill: score\n", "")))
    assert any("misconceptions.yaml" in m and "skill" in m for m in missing), missing


def test_strict_asks_for_every_idea_used_and_graded_alike(tmp_path: Path):
    unused = CATALOGUE + "  - id: never-tagged\n    skill: score\n    idea: Nobody thinks this.\n"
    found = messages(folder(tmp_path, catalogue=unused), strict=True)
    assert any("never-tagged: lint: no lesson tags this misconception" in m for m in found)
    assert not any("never-tagged" in m for m in messages(tmp_path))
    both = TAGGED.replace(
        "            grade: close\n            feedback: Graded, not pass or fail.\n",
        "            grade: close\n            feedback: Graded, not pass or fail.\n"
        "            misconception: loss-fixes-guess\n",
    )
    found = messages(folder(tmp_path, both), strict=True)
    assert any(
        "loss-fixes-guess: lint: graded differently in different places (close at broken: "
        "steps[0].questions[0]; not_quite at broken: steps[0].questions[0]); grade it alike" in m
        for m in found
    ), found


def test_the_catalogue_gives_each_misconception_its_skill(tmp_path: Path):
    lesson = swap(
        "          - {mistake: sum_instead_of_mean, grade: close, feedback: Divide by two.}\n",
        "          - {mistake: sum_instead_of_mean, grade: close, feedback: Divide by two.,"
        " misconception: loss-fixes-guess}\n",
    ).replace(
        "            grade: not_quite\n            feedback: Not yet.\n",
        "            grade: not_quite\n            feedback: Not yet.\n"
        "            misconception: loss-fixes-guess\n",
    )
    (tmp_path / "lesson.yaml").write_text(lesson)
    # Without the catalogue, the earliest question naming it decides; with it, the catalogue.
    assert load_catalog([tmp_path]).lessons["broken"].misconception_skills == {
        "loss-fixes-guess": "score"
    }
    (tmp_path / "misconceptions.yaml").write_text(
        CATALOGUE.replace("skill: score", "skill: compute")
    )
    loaded = load_catalog([tmp_path]).lessons["broken"]
    assert loaded.misconception_skills == {"loss-fixes-guess": "compute"}


def test_a_sub_steps_tag_is_checked_against_the_catalogue_too(tmp_path: Path):
    source = (Path(__file__).parents[1] / "data" / "ladder" / "ladder.yaml").read_text()
    tagged = source.replace(
        "{mistake: doubled, grade: not_quite, feedback: That doubles it; square it instead.}",
        "{mistake: doubled, grade: not_quite, feedback: That doubles it; square it instead., "
        "misconception: squares-are-doubles}",
    )
    assert tagged != source
    (tmp_path / "ladder.yaml").write_text(tagged)
    ideas = ["backwards", "pass-fail", "fixes"]
    (tmp_path / "misconceptions.yaml").write_text(
        "misconceptions:\n"
        + "".join(f"  - {{id: {i}, skill: score, idea: An idea for {i}.}}\n" for i in ideas)
    )
    found = [str(p) for p in load_catalog([tmp_path]).problems]
    assert any(
        ".steps[1].mistakes[0].misconception: misconception 'squares-are-doubles' is not in "
        "misconceptions.yaml" in m
        for m in found
    ), found
