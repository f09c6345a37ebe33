"""event max interviews per candidate

Revision ID: 5b7e2c9a4d10
Revises: 1ce1e5d149a3
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c9a4d10'
down_revision = '1ce1e5d149a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('max_interviews', sa.Integer(), server_default='3', nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_event_max_interviews_range'), 'max_interviews BETWEEN 1 AND 10'
        )


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_max_interviews_range'), type_='check')
        batch_op.drop_column('max_interviews')
