"""A staff member's saved queue views: a name and the queue's query string, kept per user."""

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, NotFound
from core.models import User

from ..filters import QueueFilter
from ..models import SavedFilter

SAVED_LIMIT = 30
TOO_MANY_SAVED = _("You have {limit} saved views; delete one first.")
SAVED_NOT_FOUND = _("No saved view of yours has that number.")
BAD_VIEW = _("These filters are not valid: {errors}")


def clean_query(query: str) -> str:
    """Only the queue's own filters, in a stable order, and only valid ones (400 otherwise)."""
    given = QueryDict(query.lstrip("?"))
    kept = QueryDict(mutable=True)
    for name in QueueFilter.base_filters:
        value = given.get(name, "").strip()
        if value:
            kept[name] = value
    if kept:
        check = QueueFilter(kept, queryset=SavedFilter.objects.none())  # type: ignore[arg-type]  # form check only
        if not check.form.is_valid():
            raise ApplicationError.for_field("query", str(BAD_VIEW).format(errors=check.form.errors.as_text()))
    return kept.urlencode()


@transaction.atomic
def saved_filter_save(*, owner: User, name: str, query: str) -> SavedFilter:
    """Save (or replace, by name) a view of the queue."""
    label = " ".join((name or "").split())
    if not label:
        raise ApplicationError.for_field("name", str(_("Give the view a name.")))
    cleaned = clean_query(query or "")
    existing = SavedFilter.objects.select_for_update().filter(owner=owner, name=label).first()
    if existing is not None:
        existing.query = cleaned
        existing.save(update_fields=["query", "updated_at"])
        return existing
    if SavedFilter.objects.filter(owner=owner).count() >= SAVED_LIMIT:
        raise ApplicationError(str(TOO_MANY_SAVED).format(limit=SAVED_LIMIT), code="too_many")
    return SavedFilter.objects.create(owner=owner, name=label, query=cleaned)


def saved_filter_delete(*, owner: User, pk: int) -> None:
    saved = SavedFilter.objects.filter(owner=owner, pk=pk).first()
    if saved is None:
        raise NotFound(str(SAVED_NOT_FOUND))
    saved.delete()
