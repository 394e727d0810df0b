import json

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.renderers import JSONRenderer


def openapi_schema() -> dict:
    """The schema /api/v1/schema/ serves, as plain JSON (test_schema.py checks they agree)."""
    with translation.override("en"):
        generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(JSONRenderer().render(generated))
