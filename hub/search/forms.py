"""The search form: every value from the query string is checked, and anything odd is dropped, never refused."""

from __future__ import annotations

from wtforms import BooleanField
from wtforms import Form
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice

from hub.index import SORTS
from hub.index import clean
from hub.models import AssetType
from hub.routing import parse_id
from hub.search.service import SORT_LABELS
from hub.search.service import SearchParams

MAX_PAGE = 500


class SearchForm(Form):
    """Bound to request.args (a GET form, so result pages can be bookmarked and shared)."""

    q = StringField("Search")
    persona = SelectMultipleField("Persona", choices=[])
    stage = SelectMultipleField("Stage", choices=[])
    type = SelectMultipleField("Type", choices=[SelectChoice(t.value, t.label) for t in AssetType])
    sort = SelectField(
        "Sort by", choices=[SelectChoice(key, SORT_LABELS[key]) for key in SORTS], default="best"
    )
    archived = BooleanField("Include archived")
    expired = BooleanField("Include expired")
    page = IntegerField("Page", default=1)
    deal = IntegerField("For this deal")

    @staticmethod
    def _known(field: SelectMultipleField, ids: bool = False) -> tuple[str, ...]:
        """Chosen values that can be valid; unknown persona or stage ids simply match nothing."""
        allowed = {str(choice.value) for choice in field.choices}
        chosen = []
        for value in (field.data or ())[:20]:
            if ids:
                # "007" and "7" name the same persona; the index stores "7"
                number = parse_id(value)
                value = str(number) if number is not None else None
            if value is not None and (ids or value in allowed) and value not in chosen:
                chosen.append(value)
        return tuple(chosen)

    def deal_id(self) -> int | None:
        return parse_id(self.deal.raw_data[0] if self.deal.raw_data else None)

    def params(self, per_page: int = 20) -> SearchParams:
        page = self.page.data if isinstance(self.page.data, int) else 1
        return SearchParams(
            text=clean(self.q.data),
            personas=self._known(self.persona, ids=True),
            stages=self._known(self.stage, ids=True),
            types=self._known(self.type),
            include_archived=bool(self.archived.data),
            include_expired=bool(self.expired.data),
            sort=self.sort.data if self.sort.data in SORTS else "best",
            page=min(max(page, 1), MAX_PAGE),
            per_page=per_page,
        )
