"""`GET /healthz`: open, answers 200 when the database answers, 503 otherwise."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from afterservice_site.rendering import dumps

logger = logging.getLogger("afterservice.health")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        body = {"status": 503, "message": "database unavailable", "code": "unavailable", "data": None}
        return HttpResponse(dumps(body), status=503, content_type="application/json")
    body = {"status": 0, "message": "ok", "data": {"database": "ok"}}
    return HttpResponse(dumps(body), content_type="application/json")
