"""Token authentication that reads the user's role groups in the token's own query, with its
failures throttled per client address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, throttling
from rest_framework.authtoken.models import Token

from afterservice_site.compiled import CompiledQuery
from orders import workflow


def _user_fields() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields]


def _token_with_roles(key: str) -> QuerySet[Any]:
    """The token's creation time, its user's columns and one `Exists()` per role group."""
    memberships = get_user_model().groups.through.objects
    roles = {
        f"role_{role}": Exists(memberships.filter(user_id=OuterRef("user_id"), group__name=role))
        for role in workflow.ROLES
    }
    user_columns = [f"user__{name}" for name in _user_fields()]
    return Token.objects.filter(key=key).annotate(**roles).values_list("created", *user_columns, *roles)


_TOKEN_QUERY = CompiledQuery(_token_with_roles)


def client_address(request: HttpRequest) -> str:
    """The client's address as DRF's throttles see it: through `NUM_PROXIES` trusted proxies only.

    Also django-axes' `AXES_CLIENT_IP_CALLABLE`, so admin lockouts key on the same address.
    """
    return throttling.BaseThrottle().get_ident(request)


class TokenFailureThrottle(throttling.SimpleRateThrottle):
    """Failed token authentications per client address (`THROTTLE_TOKEN_FAILURES`, 20/minute).

    Only failures are counted, so a valid token never touches the cache; the counts live in the
    `throttle` cache (Redis with REDIS_URL: shared by every host).
    """

    scope = "token_failure"

    @property
    def cache(self) -> Any:  # looked up per use: tests swap CACHES
        return caches["throttle"]

    def get_rate(self) -> str:
        return settings.THROTTLE_TOKEN_FAILURES

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>`: the same answers, one query instead of two, compiled once.

    DRF reads the token with its user; then the first role check (`workflow.user_roles`, for
    visibility and `operations`) read the user's groups in a second query. Here each role is an
    `Exists()` column of the token query (plain correlated subqueries, portable across SQLite and
    PostgreSQL) and the roles are handed to `workflow` with the user. The query is compiled once
    per process (`CompiledQuery`): building those subqueries anew cost far more than running them.

    Failures (a malformed header, an unknown key, an inactive user) are counted per client
    address by `TokenFailureThrottle`; past its rate they answer 429 `throttled` with Retry-After
    instead of 401, so nobody guesses keys at the speed of the service.
    """

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle = TokenFailureThrottle()
            if not throttle.allow_request(request, None):
                raise exceptions.Throttled(wait=throttle.wait()) from None
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        rows = _TOKEN_QUERY.rows(key)
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        created, *values = rows[0]
        names = _user_fields()
        user = get_user_model().from_db(_TOKEN_QUERY.using, names, values[: len(names)])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        workflow.remember_roles(
            user, frozenset(role for role, member in zip(workflow.ROLES, values[len(names) :], strict=True) if member)
        )
        token = Token.from_db(_TOKEN_QUERY.using, ["key", "user_id", "created"], [key, user.pk, created])
        token.user = user
        return user, token
