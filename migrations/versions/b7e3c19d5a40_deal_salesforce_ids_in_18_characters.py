"""deal: Salesforce opportunity ids stored in their 18-character form

Imports and the API now store a Salesforce opportunity id in 18 characters whichever form a file or
request gives (hub.deals.crm_ids). Deals stored before in the 15-character form are brought to it, so
the next export in the other form updates them instead of adding a second deal. Where both forms are
already stored as two deals, both are left as they are.

Revision ID: b7e3c19d5a40
Revises: 42d05ad3a911
Create Date: 2026-11-25 13:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from hub.deals.crm_ids import canonical_crm_id

# revision identifiers, used by Alembic.
revision = 'b7e3c19d5a40'
down_revision = '42d05ad3a911'
branch_labels = None
depends_on = None

deal = sa.table('deal', sa.column('id', sa.Integer), sa.column('crm_id', sa.String))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(deal.c.id, deal.c.crm_id).where(deal.c.crm_id.like('006%'))).all()
    stored = {crm_id for _id, crm_id in rows}
    for deal_id, crm_id in rows:
        canonical = canonical_crm_id(crm_id)
        if canonical != crm_id and canonical not in stored:
            connection.execute(sa.update(deal).where(deal.c.id == deal_id).values(crm_id=canonical))
            stored.add(canonical)


def downgrade():
    # the 18-character form is a valid id everywhere the 15-character one was
    pass
