"""The OpenAPI schema and the Swagger UI (docs/api.md): open to everyone, every contract path and
method documented, and the UI works offline."""

import json
import re

# The customer's paths with the methods each must document.
CONTRACT_PATHS = {
    "/api/v1/afterservice/orders": {"get", "post"},
    "/api/v1/afterservice/orders/{}": {"get", "put", "patch", "delete"},
    "/api/v1/afterservice/{}/journals": {"get"},
    "/api/v1/afterservice/orders/{}/journals": {"get"},
    "/api/v1/afterservice/orders/{}/abnormal-products": {"get", "post"},
    "/api/v1/afterservice/orders/{}/abnormal-products/{}": {"get", "put", "delete"},
    "/api/v1/afterservice/orders/{}/duty-report": {"get", "put"},
    "/api/v1/afterservice/orders/{}/tracks": {"get", "post"},
    "/api/v1/afterservice/orders/{}/deductions": {"get", "post"},
    "/api/v1/afterservice/orders/{}/deductions/{}": {"put", "delete"},
    "/api/v1/afterservice/all-products": {"get"},
    "/api/v1/afterservice/supplier_user_matcher": {"get"},
    "/api/v1/afterservice/dutyreports/{}": {"get"},
}


# --- Schema and docs ----------------------------------------------------------------------------------------
def _schema(client):
    response = client.get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _normalise(path):
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_get_schema_anonymous_answers_openapi_3(db, anon_client):
    schema = _schema(anon_client)

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]
    assert schema["info"]["version"]
    assert isinstance(schema["paths"], dict)


def test_get_schema_default_format_answers_200_anonymous(db, anon_client):
    response = anon_client.get("/api/schema")

    assert response.status_code == 200
    assert b"openapi: 3." in response.content


def test_get_schema_with_trailing_slash_answers_200(db, anon_client):
    response = anon_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_get_schema_documents_every_contract_path_and_method(db, anon_client):
    schema = _schema(anon_client)
    documented = {
        _normalise(path): {m for m in ops if m in {"get", "post", "put", "patch", "delete"}}
        for path, ops in schema["paths"].items()
    }

    for path, methods in CONTRACT_PATHS.items():
        assert path in documented, f"{path} missing from the schema: {sorted(documented)}"
        assert methods <= documented[path], f"{path}: {methods - documented[path]} not documented"


def test_get_schema_every_ref_resolves_to_a_component(db, anon_client):
    schema = _schema(anon_client)
    text = json.dumps(schema)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))

    assert refs
    assert refs <= set(schema["components"]["schemas"])


def test_get_schema_documents_error_envelope_and_token_auth(db, anon_client):
    schema = _schema(anon_client)

    assert schema["components"]["schemas"]["Error"]["required"] == ["status", "message", "code", "data"]
    list_get = schema["paths"][next(p for p in schema["paths"] if _normalise(p).endswith("afterservice/orders"))]
    assert "401" in list_get["get"]["responses"]
    token_auth = schema["components"]["securitySchemes"]["tokenAuth"]
    assert token_auth["in"] == "header"
    assert token_auth["name"] == "Authorization"


def test_get_docs_anonymous_answers_swagger_ui(db, anon_client):
    response = anon_client.get("/api/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "swagger-ui" in content.lower()
    assert "/api/schema" in content
    # Works offline: the UI's assets come from this server (sidecar), not a CDN.
    assert "cdn.jsdelivr" not in content
    assert "unpkg.com" not in content
