from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Cursor pages: stable under inserts and as fast on the last page as on the first.
    A view sets `ordering` to its selector's order, ending in a unique column."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-created_at", "-id")
