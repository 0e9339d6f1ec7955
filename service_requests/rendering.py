"""The staff queue's table rows, written in Python: one format_html per row instead of some thirty
template lookups per row (the queue is the office's busiest page; issue 16 measured its template at
81 % of its time). The labels come translated once per page; every value is escaped by format_html."""

import html
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.fragments import fragment

from .selectors import QueueRow

_ROW = (
    '<tr><td data-label="{select}"><input type="checkbox" name="ref" value="{ref}" aria-label="{select} {ref}"></td>'
    '<th scope="row" data-label="{l_ref}"><a href="{url}">{ref}</a>{priority}</th>'
    '<td data-label="{l_type}">{type}</td><td data-label="{l_age}">{age}</td>'
    '<td data-label="{l_status}">{status}</td><td data-label="{l_channel}">{channel}</td>'
    '<td data-label="{l_receipt}">{receipt}</td><td data-label="{l_inquiry}">{inquiry}</td>'
    '<td data-label="{l_due}" class="answer-due">{due}</td><td data-label="{l_holder}" class="held-by">{holder}</td></tr>'
)


def queue_labels() -> dict[str, str]:
    """The column labels and tags, translated once per page (the template's header uses the same)."""
    return {
        "select": _("Select"), "l_ref": _("Reference number"), "l_type": _("Type"), "l_age": _("Age"),
        "l_status": _("Status"), "l_channel": _("Channel"), "l_receipt": _("Receipt number"),
        "l_inquiry": _("Customer inquiry waiting"), "l_due": _("Answer by"), "l_holder": _("Held by"),
        "priority": _("Priority"), "overdue": _("Overdue"), "due": _("Due"), "untaken": _("Not taken"),
    }


def _escape(value: object) -> str:
    """conditional_escape's bytes without its lazy-text wrapper: markup passes, anything else is escaped."""
    return value if isinstance(value, SafeString) else html.escape(str(value))


def queue_rows_html(rows: Sequence[QueueRow], labels: dict[str, str], detail_prefix: str) -> SafeString:
    """The rows, escaped as format_html escapes: the labels go into the row's markup once per page, then each
    row fills only its own values."""
    headers = {key: _escape(value).replace("{", "{{").replace("}", "}}") for key, value in labels.items()
               if key.startswith("l_") or key == "select"}
    row_markup = _ROW.format_map(_KeepOthers(headers))
    priority = format_html(' <span class="usa-tag">{}</span>', labels["priority"])
    overdue = format_html('<span class="usa-tag bg-secondary-dark">{}</span> ', labels["overdue"])
    due_tag = format_html('<span class="usa-tag">{}</span> ', labels["due"])
    untaken = format_html('<span class="text-base">{}</span>', labels["untaken"])
    prefix = _escape(detail_prefix)

    def due(row: QueueRow) -> str:
        if row.answer_due_on is None:
            return ""
        tag = overdue if row.overdue else due_tag if row.due else ""
        return tag + _escape(date_format(row.answer_due_on, "DATE_FORMAT"))

    return SafeString("\n".join(row_markup.format(
        ref=(ref := _escape(r.reference_number)), url=f"{prefix}{ref}/", priority=priority if r.priority else "",
        type=_escape(r.type_label), age=_escape(r.age), status=_escape(r.status_label),
        channel=_escape(r.channel_label), receipt=_escape(r.receipt_number), inquiry=_escape(r.inquiry), due=due(r),
        holder=_escape(r.holder) if r.holder else untaken,
    ) for r in rows))


class _KeepOthers(dict):
    """format_map's mapping for a first pass: the fields it does not know stay as they were, for the second."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def directory_version() -> object:
    """The directory's version (offices.jurisdiction bumps it after every committed edit of an office): the key
    for fragments that show offices."""
    from offices import jurisdiction

    return jurisdiction.current_version()


def office_name(office_id: int | None, version: object) -> str:
    """The office's name for the page heading (one query per process and directory version)."""
    from offices.models import Office

    if office_id is None:
        return ""
    return fragment(("office", office_id, version), lambda: SafeString(
        Office.objects.filter(pk=office_id).values_list("name", flat=True).first() or ""))
