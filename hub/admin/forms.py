from __future__ import annotations

from wtforms import BooleanField
from wtforms import DateField
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from hub.forms import HtmlForm
from hub.forms import strip_text
from hub.models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class UserCreateForm(HtmlForm):
    email = EmailField("Email", filters=[strip_text], validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.REP.value)
    team = StringField("Team", validators=[Optional(), Length(max=80)])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=8, max=200)])


class UserEditForm(HtmlForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    team = StringField("Team", validators=[Optional(), Length(max=80)])
    active = BooleanField("Active (can sign in)")
    new_password = PasswordField(
        "New password (leave empty to keep)", validators=[Optional(), Length(min=8, max=200)]
    )


class AuditFilterForm(HtmlForm):
    """GET filters for the audit log (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    user = SelectField("User", choices=[], validators=[Optional()])
    action = SelectField("Action", choices=[], validators=[Optional()])
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")
