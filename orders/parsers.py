"""The request parser of the upload routes (attachments): multipart/form-data streamed to disk.

Every other route stays JSON-only (`StrictJSONParser`). A view that takes files sets
`parser_classes = [AttachmentMultiPartParser]`; `BodySizeLimitMiddleware` then lets its bodies up
to `max_body_bytes()` through (one file at the size limit plus its form fields) instead of 2 MiB.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, DataAndFiles

from orders import uploads


class AttachmentMultiPartParser(BaseParser):
    """multipart/form-data whose files stream through `LimitedTemporaryFileUploadHandler` only:
    never into memory (Django's default keeps files up to 2.5 MB there), aborted past the size
    limit with `FileTooLarge`, hashed on the way."""

    media_type = "multipart/form-data"

    @staticmethod
    def max_body_bytes() -> int:
        return uploads.max_upload_body_bytes()

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> DataAndFiles:
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        handlers = [uploads.LimitedTemporaryFileUploadHandler()]
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = DjangoMultiPartParser(meta, stream, handlers, encoding).parse()
        except MultiPartParserError as exc:
            raise ParseError(_("Malformed multipart body: %(reason)s") % {"reason": exc}) from None
        return DataAndFiles(data, files)
