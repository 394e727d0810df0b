from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Cursor pages: stable under inserts and as fast on the last page as on the first.
    A view sets `ordering` to its selector's order, ending in a unique column.

    DRF's cursor marks its place by the first ordering column and counts rows that share
    that value by offset. An import gives all its people one `created_at` (and a bulk SMS
    one `queued_at`), so more than DRF's default 1,000 rows may share it: beyond that cap
    the next page repeated itself forever. The cap is only a guard against absurd cursors.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-created_at", "-id")
    offset_cutoff = 10_000_000
