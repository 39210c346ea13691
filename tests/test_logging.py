"""Log lines carry the request id the client receives in `X-Request-ID`; errors never leak."""

import logging

from django.http import HttpResponse
from django.test import RequestFactory

from afterservice_site.errors import exception_handler
from afterservice_site.middleware import RequestIDLogFilter, RequestIDMiddleware


def test_log_line_during_request_carries_the_returned_request_id():
    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Capture()
    handler.addFilter(RequestIDLogFilter())
    logger = logging.getLogger("afterservice.test")
    logger.addHandler(handler)
    try:

        def view(request):
            logger.error("boom")
            return HttpResponse("x")

        response = RequestIDMiddleware(view)(RequestFactory().get("/api/v1/afterservice/orders"))
    finally:
        logger.removeHandler(handler)

    assert records[0].request_id == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32


def test_unhandled_exception_answers_500_envelope_and_logs_without_the_message(caplog):
    request = RequestFactory().get("/api/v1/afterservice/orders")
    with caplog.at_level(logging.ERROR, logger="afterservice.api"):
        response = exception_handler(RuntimeError("secret token abc"), {"request": request})

    assert response.status_code == 500
    assert response.data["code"] == "server_error"
    assert "secret" not in str(response.data)
    assert "Unhandled RuntimeError in GET /api/v1/afterservice/orders" in caplog.text
