from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation

from .pagination import ApiCursorPagination

# FilterSet class -> the cleaned values of a query with no parameters but paging.
_UNFILTERED: dict[type, dict] = {}


class ListApiMixin:
    """A list operation: its filters are validated by a django-filter FilterSet (which also
    describes them in the schema), the view hands them to its selector, and the result is
    paged by cursor."""

    filterset_class = None
    pagination_class = ApiCursorPagination

    @property
    def filter_backends(self):
        return [DjangoFilterBackend] if self.filterset_class else []

    def get_queryset(self):
        """Only for the OpenAPI schema: the model whose fields type the filters. The rows
        come from the view's selector."""
        return self.filterset_class._meta.model.objects.none()

    def get_filters(self) -> dict:
        if not self.filterset_class:
            return {}
        params = self.request.query_params
        paging = {
            getattr(self.pagination_class, name, None)
            for name in ("cursor_query_param", "page_size_query_param")
        }
        unfiltered = set(params) <= paging
        if unfiltered and self.filterset_class in _UNFILTERED:
            # A FilterSet and its form cost ~1 ms to build; a request without parameters
            # (paging aside) gets the cleaned values of an empty query, the same for all.
            return dict(_UNFILTERED[self.filterset_class])
        filterset = self.filterset_class(
            data=params, queryset=self.get_queryset(), request=self.request
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        if unfiltered:
            _UNFILTERED[self.filterset_class] = dict(filterset.form.cleaned_data)
        return filterset.form.cleaned_data

    def paginate(self, queryset, serializer_class=None, *, render=None, **context):
        """A page of the queryset, rendered by the serializer, or row by row by `render`."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        if render is not None:
            data = [render(row) for row in page]
        else:
            context = {"request": self.request, **context}
            data = serializer_class(page, many=True, context=context).data
        return paginator.get_paginated_response(data)
