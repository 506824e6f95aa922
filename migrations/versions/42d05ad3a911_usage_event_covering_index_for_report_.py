"""usage_event: covering index for report aggregates

Replaces ix_usage_event_kind_created_at with (kind, created_at, asset_id, user_id): the same prefix
serves every query the old index served, and the report aggregates read only the index.

Revision ID: 42d05ad3a911
Revises: 74a9ae6c1ce0
Create Date: 2026-11-25 00:11:01.293149

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '42d05ad3a911'
down_revision = '74a9ae6c1ce0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_usage_event_kind_created_at_asset_user',
        'usage_event',
        ['kind', 'created_at', 'asset_id', 'user_id'],
        unique=False,
    )
    op.drop_index('ix_usage_event_kind_created_at', table_name='usage_event')


def downgrade():
    op.create_index('ix_usage_event_kind_created_at', 'usage_event', ['kind', 'created_at'], unique=False)
    op.drop_index('ix_usage_event_kind_created_at_asset_user', table_name='usage_event')
