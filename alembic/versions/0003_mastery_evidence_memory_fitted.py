"""skill_states: right first sights and a memory state; fitted skill parameters

A skill is only called solid once the learner has answered at least one of its items
right the first time they saw it: ``firsts_right`` counts those items. ``memory`` is the
skill's state in a forgetting model (an FSRS card) and ``due_at`` when it is next due for
review, indexed for a learner's list of what is due. ``fitted_skills`` holds parameters that
``tutor fit-mastery`` fitted from the attempt log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("skill_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("firsts_right", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("memory", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_skill_states_learner_due", ["learner_id", "due_at"])
    op.create_table(
        "fitted_skills",
        sa.Column("lesson_id", sa.String(length=80), nullable=False),
        sa.Column("skill_id", sa.String(length=80), nullable=False),
        sa.Column("prior", sa.Float(), nullable=False),
        sa.Column("learn", sa.Float(), nullable=False),
        sa.Column("guess", sa.Float(), nullable=False),
        sa.Column("slip", sa.Float(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lesson_id", "skill_id"),
    )


def downgrade() -> None:
    op.drop_table("fitted_skills")
    with op.batch_alter_table("skill_states", schema=None) as batch_op:
        batch_op.drop_index("ix_skill_states_learner_due")
        batch_op.drop_column("due_at")
        batch_op.drop_column("memory")
        batch_op.drop_column("firsts_right")
