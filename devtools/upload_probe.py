"""A stand-in upload route for tests and `devtools/upload_memory.py`, until the attachment routes
exist: the same parser, body limit, checks and storage as they will use, no order and no login.

Never routed by the product: tests mount it with `@pytest.mark.urls("devtools.upload_probe")`, the
memory script serves it with `DJANGO_SETTINGS_MODULE=devtools.upload_probe_settings`.
`POST /api/devtools/upload-probe` (multipart, `file` or `file_data`) stores the file under
`probe/` and answers 201 with what an attachment row would record.
"""

from typing import Any

from django.urls import re_path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from afterservice_site.urls import handler400, handler404, handler500  # noqa: F401 - this URLconf's handlers too
from afterservice_site.urls import urlpatterns as site_urlpatterns
from orders.parsers import AttachmentMultiPartParser
from orders.uploads import prepare_upload, store, uploaded_file_from

PROBE_PATH = "/api/devtools/upload-probe"


class UploadProbeView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    parser_classes = [AttachmentMultiPartParser]

    def post(self, request: Request) -> Response:
        with prepare_upload(uploaded_file_from(request.FILES)) as prepared:
            stored = store(prepared, prefix="probe")
        return Response(
            {
                "name": prepared.name,
                "content_type": prepared.content_type,
                "size": prepared.size,
                "sha256": prepared.sha256,
                "width": prepared.width,
                "height": prepared.height,
                "stored_name": stored.name,
                "thumbnail_name": stored.thumbnail_name,
            },
            status=201,
        )


# Before the site's routes: its catch-all answers every other /api/ path with the 404 envelope.
urlpatterns = [re_path(r"^api/devtools/upload-probe/?$", UploadProbeView.as_view()), *site_urlpatterns]
