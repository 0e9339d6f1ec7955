"""The queue's rows written in Python (service_requests.rendering) and its filter form built once per process."""

from datetime import UTC, date, datetime

from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from service_requests import rendering
from service_requests.filters import QueueFilter
from service_requests.models import ServiceRequest
from service_requests.selectors import QueueRow

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _row(**values: object) -> QueueRow:
    base: dict = {"reference_number": "SR1", "type_label": "Type", "status": "open", "status_label": "Open",
                  "channel_label": "Phone", "priority": False, "receipt_number": "", "created_at": NOW, "age": "today",
                  "inquiry": "", "answer_due_on": None, "overdue": False, "due": False, "holder_id": None, "holder": ""}
    return QueueRow(**{**base, **values})


def test_every_value_and_label_is_escaped_as_format_html_escapes():
    labels = {**rendering.queue_labels(), "l_type": "Type {0} <b>", "select": 'Pick "{x}"'}
    row = _row(reference_number="SR<1>", type_label="A & B", channel_label="{channel}", receipt_number="'x'",
               holder="O'Brien <i>", priority=True, answer_due_on=date(2026, 1, 9), overdue=True)
    html = rendering.queue_rows_html([row], labels, "/staff/a&b/")
    assert isinstance(html, SafeString)
    for text in ("SR&lt;1&gt;", 'href="/staff/a&amp;b/SR&lt;1&gt;/"', "A &amp; B", "{channel}", "&#x27;x&#x27;",
                 "O&#x27;Brien &lt;i&gt;", 'data-label="Type {0} &lt;b&gt;"', 'aria-label="Pick &quot;{x}&quot; SR&lt;1&gt;"',
                 format_html('<span class="usa-tag">{}</span>', labels["priority"]),
                 format_html('<span class="usa-tag bg-secondary-dark">{}</span> ', labels["overdue"])):
        assert text in html, text
    assert "<b>" not in html and "<i>" not in html


def test_rows_without_a_holder_or_a_due_date():
    labels = rendering.queue_labels()
    html = rendering.queue_rows_html([_row(), _row(reference_number="SR2", holder="Pat Doe")], labels, "/r/")
    assert html.count("<tr>") == 2 and html.count(labels["untaken"]) == 1 and "Pat Doe" in html
    assert '<td data-label="Answer by" class="answer-due"></td>' in html


def test_the_filter_form_class_is_built_once_and_speaks_the_request_language():
    def form_html(language: str) -> str:
        with translation.override(language):
            queue_filter = QueueFilter({"type": "expedite"}, queryset=ServiceRequest.objects.none())
            assert queue_filter.is_valid()
            return str(queue_filter.form)

    english, spanish = form_html("en"), form_html("es")
    assert QueueFilter({}).get_form_class() is QueueFilter({}).get_form_class()
    assert "Sort" in english and "Ordenar" in spanish and "Sort" not in spanish
    assert 'value="expedite" selected' in english
