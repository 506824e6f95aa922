from __future__ import annotations

from wtforms import BooleanField
from wtforms import DateField
from wtforms import EmailField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional

from hub.forms import HtmlForm
from hub.forms import strip_text


class ShareForm(HtmlForm):
    asset_id = SelectMultipleField("Assets", coerce=int, validate_choice=False)
    deal_id = SelectField("Deal", coerce=int, validate_choice=False, default=0)
    recipient_name = StringField("Recipient name", validators=[Optional(), Length(max=120)])
    recipient_email = EmailField(
        "Recipient email",
        filters=[strip_text],
        validators=[Optional(), Email("Enter a valid email address."), Length(max=254)],
    )
    recipient_company = StringField("Company", validators=[Optional(), Length(max=200)])
    title = StringField("Link title", validators=[Optional(), Length(max=200)])
    note = TextAreaField("Note to the recipient", validators=[Optional(), Length(max=2000)])
    expires_on = DateField("Expires on", validators=[Optional()])
    allow_download = BooleanField("Allow download", default=True)
    require_email = BooleanField("Ask for the viewer's email before showing the content")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        who = (self.recipient_name.data, self.recipient_email.data, self.recipient_company.data)
        if not any((value or "").strip() for value in who):
            self.recipient_name.errors.append("Say who the link is for: a name, an email or a company.")
            ok = False
        if not self.asset_id.data:
            self.asset_id.errors.append("Choose at least one asset.")
            ok = False
        return ok


class ExpiryForm(HtmlForm):
    expires_on = DateField("Expires on", validators=[Optional()])


class RevokeForm(HtmlForm):
    pass
