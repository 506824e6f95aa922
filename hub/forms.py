"""The base of Hub's HTML forms: they read form-encoded bodies only."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.datastructures import ImmutableMultiDict

SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class HtmlForm(FlaskForm):
    """A FlaskForm that reads only the posted form fields, without NUL characters.

    Flask-WTF would read a JSON body as form data, which fails with a 500 on anything but an object of
    strings (a list, a number, a nested object); browsers post these forms encoded, so a JSON body now
    meets the fields' own "required" errors. PostgreSQL refuses text containing NUL, so it is dropped.
    """

    def __init__(self, *args, **kwargs) -> None:
        if not args and "formdata" not in kwargs and request.method in SUBMIT_METHODS:
            kwargs["formdata"] = _posted_fields()
        super().__init__(*args, **kwargs)


def _posted_fields():
    fields = request.form
    if any("\x00" in value for _key, value in fields.items(multi=True)):
        fields = ImmutableMultiDict(
            [(key, value.replace("\x00", "")) for key, value in fields.items(multi=True)]
        )
    return CombinedMultiDict((request.files, fields)) if request.files else fields


def strip_text(value: object) -> object:
    """A field filter: surrounding spaces pasted with an address are not part of it."""
    return value.strip() if isinstance(value, str) else value
