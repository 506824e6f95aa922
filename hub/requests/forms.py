"""Forms for content requests and asset feedback."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from hub.forms import HtmlForm
from hub.models import RequestStatus
from hub.routing import MAX_ID

RATING_MESSAGE = "Choose a rating from 1 (poor) to 5 (excellent)."
STATUS_CHOICES = [SelectChoice(status.value, status.label) for status in RequestStatus]


class FeedbackForm(HtmlForm):
    rating = IntegerField(
        "Rating", validators=[InputRequired(RATING_MESSAGE), NumberRange(1, 5, RATING_MESSAGE)]
    )
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)])
    next = HiddenField()


class RequestForm(HtmlForm):
    title = StringField(
        "What do you need?",
        validators=[DataRequired("Say in a few words what content you need."), Length(max=200)],
    )
    details = TextAreaField("Details", validators=[Optional(), Length(max=4000)])
    persona = SelectField("Persona", coerce=int, default=0)
    stage = SelectField("Stage", coerce=int, default=0)


class AnswerForm(HtmlForm):
    status = SelectField("Status", choices=STATUS_CHOICES)
    response = TextAreaField("Answer to the rep", validators=[Optional(), Length(max=4000)])
    asset_id = IntegerField(
        "Fulfilling asset (ID)",
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_ID, message="Enter the number shown in the asset's address."),
        ],
    )


class RequestFilterForm(HtmlForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Show",
        choices=[
            SelectChoice("active", "Open and in progress"),
            SelectChoice("closed", "Done and declined"),
            SelectChoice("all", "All"),
        ],
        default="active",
    )
