"""Helpers for server-rendered views: service errors as form errors, and paging."""

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .errors import ApplicationError


def form_add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Attach a service's field errors to the form fields, or its message to the whole form."""
    if not error.fields:
        form.add_error(None, error.message)
        return
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def paginate(request: HttpRequest, queryset: QuerySet[Any] | Sequence[Any], per_page: int = 25,
             paginator_class: type[Paginator] = Paginator) -> tuple[Page, str]:
    """The requested page, and the query string without `page` for the pager's links
    (core/includes/pagination.html)."""
    query = request.GET.copy()
    query.pop("page", None)
    return paginator_class(queryset, per_page).get_page(request.GET.get("page")), query.urlencode()


class _RolledBack(Exception):
    pass


def dry_run(call: Callable[[], object]) -> None:
    """Run a service and undo all it wrote (rows, audit, e-mails owed): its refusals propagate. A
    check-your-answers page uses it to refuse exactly what the real call would refuse."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        pass
