"""The kinds of question, each whole in one module: a registry.

A kind is its fields in the lesson format, its checks, how one variant is drawn, how an
answer is graded, and the template that asks it (see :class:`~.base.Kind`). To add one,
write a module beside these with a subclass of ``Kind``, list it in ``KINDS``, and write its
template under ``templates/kinds/``; the format, the validator, variants, grading, the API
and the pages all take their kind-specific parts from here.
"""

from __future__ import annotations

from tutor.lessons.kinds.base import Graded, Kind, Seat
from tutor.lessons.kinds.choice import Choice
from tutor.lessons.kinds.numeric import Numeric

KINDS: dict[str, Kind] = {kind.name: kind for kind in (Choice(), Numeric())}

__all__ = ["KINDS", "Graded", "Kind", "Seat"]
