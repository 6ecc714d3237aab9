"""The authoring guide and the README cannot fall behind the format and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.cli import app as cli_app
from tutor.config import Settings
from tutor.engine import computations
from tutor.lessons.format import Lesson
from tutor.lessons.problems import model_classes

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "authoring.md").read_text()
README = (ROOT / "README.md").read_text()


def every_model() -> list[type]:
    seen: list[type] = []
    stack: list[type] = [Lesson]
    while stack:
        model = stack.pop()
        if model not in seen:
            seen.append(model)
            for field in model.model_fields.values():
                stack.extend(model_classes(field.annotation))
    return seen


FIELDS = sorted({(m.__name__, name) for m in every_model() for name in m.model_fields})


@pytest.mark.parametrize(("model", "field"), FIELDS)
def test_every_field_of_the_format_is_in_the_guide(model: str, field: str):
    assert f"`{field}`" in GUIDE, f"{model}.{field} is not described in docs/authoring.md"


@pytest.mark.parametrize("name", sorted(computations.COMPUTATIONS))
def test_every_computation_and_its_mistakes_are_in_the_guide(name: str):
    row = next((line for line in GUIDE.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row is not None, f"{name} is missing from the guide's table"
    comp = computations.COMPUTATIONS[name]
    for arg in comp.params:
        assert f"`{arg}`" in row
    for mistake in comp.mistakes:
        assert f"`{mistake}`" in row, f"{name}'s mistake {mistake} is not in the guide"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_environment_setting_is_in_the_readme(name: str):
    if name in ("templates_dir", "static_dir"):
        pytest.skip("not a deployment setting")
    assert f"`TUTOR_{name.upper()}`" in README


@pytest.mark.parametrize(
    "command", [c.name or c.callback.__name__ for c in cli_app.registered_commands]
)
def test_every_cli_command_is_in_the_readme(command: str):
    assert f"tutor {command}" in README
