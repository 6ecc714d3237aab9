"""attempts: whether the tutor held the skill mastered after the answer

Instructors' "reached mastery" and "tries to mastery" count what the tutor concluded at
each answer, the estimate learners are shown, rather than a replay that cannot know each
learner's own prior. Older attempts have none (NULL); analytics replays those.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("solid", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_column("solid")
