from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    """`?page=N&page_size=M`; page_size is capped at 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
