from collections import OrderedDict
from typing import cast

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.pagination import CappedCountPaginator


class PortalPagination(PageNumberPagination):
    """`?page=N&page_size=M`; page_size is capped at 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class QueuePagination(PortalPagination):
    """For long queues: `count` stops at 1,001 (then `count_capped` is true) so that paging stays an
    index scan; filter to narrow a queue rather than paging past its first thousand."""

    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data: list) -> Response:
        assert self.page is not None  # paginate_queryset ran first
        paginator = cast(CappedCountPaginator, self.page.paginator)
        return Response(OrderedDict([
            ("count", paginator.count),
            ("count_capped", paginator.count_capped),
            ("next", self.get_next_link()),
            ("previous", self.get_previous_link()),
            ("results", data),
        ]))

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {"type": "boolean", "example": False}
        return response
