"""OpenAPI: the envelope around every documented body, and the customer's paths (no trailing slash)."""

from __future__ import annotations

from typing import Any

PAGINATION_SCHEMA = {
    "type": "object",
    "properties": {
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
    },
    "required": ["page", "per_page", "total", "pages"],
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Error envelope; `status` repeats the HTTP status, `code` is a stable word.",
    "properties": {
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "code": {"type": "string"},
        "data": {
            "type": "object",
            "nullable": True,
            "properties": {"errors": {"type": "object", "additionalProperties": True}},
        },
    },
    "required": ["status", "message", "code", "data"],
}


def envelope_schema(data_schema: dict[str, Any], paginated: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "x-envelope": True,
        "properties": {
            "status": {"type": "integer", "minimum": 0, "maximum": 0, "description": "0 on success."},
            "message": {"type": "string"},
            "data": data_schema,
        },
        "required": ["status", "message", "data"],
    }
    if paginated:
        schema["properties"]["pagination"] = PAGINATION_SCHEMA
        schema["required"].append("pagination")
    return schema


_ERROR_STATUSES = {
    "400": "Invalid input (`validation_error`, `parse_error`).",
    "401": "Not authenticated.",
    "403": "Permission denied.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "409": "State conflict (`invalid_operation`, `conflict`).",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
    "422": "Idempotency-Key reused with another body.",
    "429": "Throttled.",
    "503": "The database is busy (`unavailable`); retry after `Retry-After` seconds.",
}


def _is_envelope(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Already an envelope, also behind a `$ref` (the paginated list components are)."""
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    return bool(schema.get("x-envelope"))


def envelope_schema_hook(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing: wrap success bodies, document the error envelope."""
    # Routes end in `/?$` and spectacular renders that as a trailing slash; document the
    # customer's paths (docs/api.md: no trailing slash).
    result["paths"] = {
        (path.rstrip("/") if path.startswith("/api/v1/") else path): operations
        for path, operations in result.get("paths", {}).items()
    }
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        is_api = path.startswith("/api/v1/")
        for _method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, response in list(operation["responses"].items()):
                if not code.startswith("2"):
                    continue
                content = response.setdefault("content", {})
                media = content.setdefault("application/json", {})
                inner = media.get("schema")
                if inner is None:
                    media["schema"] = envelope_schema({"nullable": True, "type": "object"})
                elif not _is_envelope(inner, components):
                    media["schema"] = envelope_schema(inner)
            if is_api:
                for code, description in _ERROR_STATUSES.items():
                    operation["responses"].setdefault(
                        code,
                        {"description": description, "content": {"application/json": {"schema": error_ref}}},
                    )
    return result
