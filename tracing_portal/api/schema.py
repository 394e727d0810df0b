"""OpenAPI description: the error body, the bearer scheme, and how components are named.

Every operation's responses list the errors it can give without each view repeating them:
401, 403, 406 and 429 everywhere; 400, 413 and 415 for writes, 400 for filtered or paged
lists; 404 where the path names a record or a cursor is read. A view adds the rest (409,
502...) in `@extend_schema`.
"""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "Machine-readable: invalid, malformed, rejected, stale, duplicates, "
            "not_authenticated, authentication_failed, forbidden, second_step_required, "
            "not_found, method_not_allowed, not_acceptable, too_large, "
            "unsupported_media_type, throttled, bluezone_unavailable, server_error."
        )
    )
    message = serializers.CharField(help_text="For people, in the portal's language.")
    details = serializers.DictField(
        help_text=(
            "invalid: field name to its messages; stale: `changes` made meanwhile; "
            "duplicates: `duplicates`, the people who may be the same; throttled: "
            "`retry_after` in seconds; malformed: `reason`, the JSON parser's own words; "
            "rejected: what the refusal carries."
        )
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "The request is not valid (code `invalid` or `malformed`) or a rule refused it "
    "(code `rejected`).",
    401: "No credentials, or a token that is not valid, has expired or was revoked.",
    403: "The user's role does not hold the permission (or a browser session sent no CSRF token).",
    404: "No such record in the user's province (another province's record is a 404 too), "
    "or a cursor that is not valid.",
    406: "The `Accept` header asks for something other than JSON (`not_acceptable`).",
    409: "A conflict: the record changed since it was read (`stale`), or the person may "
    "already be on file (`duplicates`).",
    413: "The body is larger than the server accepts (`too_large`).",
    415: "The body is not JSON (`unsupported_media_type`).",
    429: "Too many requests for this token; `Retry-After` says when to try again.",
    502: "Bluezone could not be reached or refused the call.",
}


def error_response(status: int) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])


def errors(*statuses: int) -> dict:
    return {status: error_response(status) for status in statuses}


class AutoSchema(openapi.AutoSchema):
    def get_serializer_name(self, serializer, direction):
        # A serializer nested in a view ("CaseListApi.OutputSerializer") is named after it
        # ("CaseListOutput"): every view has its own InputSerializer and OutputSerializer.
        parts = type(serializer).__qualname__.split(".")
        if len(parts) > 1 and parts[0].endswith("Api"):
            return parts[0].removesuffix("Api") + "".join(
                p.removesuffix("Serializer") for p in parts[1:]
            )
        return super().get_serializer_name(serializer, direction)

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "code":
                parameter["description"] = "The person's code: province prefix and number."
                parameter["schema"]["example"] = "HD-000123"
        return parameters

    def _get_response_bodies(self, direction="response"):
        # Here rather than in get_response_serializers, which @extend_schema replaces.
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        statuses = {401, 403, 406, 429}
        paged = getattr(self.view, "pagination_class", None)
        if self.method != "GET":
            statuses |= {400, 413, 415}
        if paged or getattr(self.view, "filterset_class", None):
            statuses.add(400)
        if "{" in self.path or paged:
            statuses.add(404)
        for status in sorted(statuses):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status), str(status), direction=direction
                )
        return dict(sorted(responses.items()))


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tracing_portal.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token an administrator issued in the admin (API tokens), sent as "
                "`Authorization: Bearer tp_…`."
            ),
        }
