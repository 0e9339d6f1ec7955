"""Helpers for server-rendered views: turn service errors into form errors."""

from django import forms

from .errors import ApplicationError


def form_add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Attach a service's field errors to the form fields, or its message to the whole form."""
    if not error.fields:
        form.add_error(None, error.message)
        return
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
