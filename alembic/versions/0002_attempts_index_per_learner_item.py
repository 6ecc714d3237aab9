"""attempts: index a learner's answers by item

Whether a learner has answered an item before (asked on every answer) was looked
up through the (lesson, question) index and filtered by learner: a scan of every
learner's answers to that question, longer with each class. This index finds the
learner's own answers to the item directly; its first two columns serve the
(learner, lesson) lookups, so that index goes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attempts_learner_item",
            ["learner_id", "lesson_id", "question_id", "variant"],
            unique=False,
        )
        batch_op.drop_index("ix_attempts_learner_lesson")


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attempts_learner_lesson", ["learner_id", "lesson_id"], unique=False
        )
        batch_op.drop_index("ix_attempts_learner_item")
