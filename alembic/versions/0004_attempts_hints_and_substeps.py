"""attempts: hints taken, and room for a sub-step's id

An answer inside a multi-step problem is to one of its sub-steps, logged under
``<question id>.<sub-step id>`` (two ids of up to 80 characters and a dot), with ``hints``:
how many rungs of the hint ladder the learner took before answering.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hints", sa.Integer(), server_default="0", nullable=False))
        batch_op.alter_column(
            "question_id", existing_type=sa.String(length=80), type_=sa.String(length=161)
        )


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.alter_column(
            "question_id", existing_type=sa.String(length=161), type_=sa.String(length=80)
        )
        batch_op.drop_column("hints")
