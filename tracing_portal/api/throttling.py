from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class ApiTokenThrottle(SimpleRateThrottle):
    """API_THROTTLE_RATE requests per token (per user for browser sessions), counted in the
    "api" cache. Runs after authentication and permissions: anonymous requests are 401."""

    scope = "api"

    @property
    def cache(self):
        return caches["api"]

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.key_id}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
