"""The wording of an offer after repeated misses: varied, never repeating its heading, and
naming only the ways on that are offered."""

from __future__ import annotations

from tutor.teaching.offers import wording


def test_the_wording_varies_across_thirty_showings_and_is_the_same_on_a_reload():
    shown = [wording(count, step_back=count % 2 == 0) for count in range(30)]
    assert len({heading for heading, _ in shown}) >= 5
    assert len({message.split(". ")[0] for _, message in shown}) >= 6
    assert all(shown[i] != shown[i + 1] for i in range(29))
    assert wording(7, step_back=True) == wording(7, step_back=True)


def test_the_message_never_opens_with_its_heading():
    for count in range(60):
        heading, message = wording(count, step_back=True)
        assert not message.lower().startswith(heading.lower())
        assert heading.lower() not in message.lower()


def test_another_angle_is_mentioned_only_when_it_is_offered():
    for step_back in (True, False):
        message = wording(3, step_back=step_back, another_angle=False)[1]
        assert "another angle" not in message and "go on for now" in message
    assert wording(3, step_back=False, another_angle=False)[1].endswith(
        "You can go on for now (it will come back for a short review)."
    )


def test_a_step_back_is_mentioned_only_when_it_is_offered():
    for count in range(30):
        assert "step back" in wording(count, step_back=True)[1]
        without = wording(count, step_back=False)[1]
        assert "step back" not in without
        assert "another angle" in without and "go on for now" in without
