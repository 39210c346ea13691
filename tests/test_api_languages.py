"""Messages in the client's language (docs/api.md): zh-hans by default, English with
`Accept-Language: en`."""

import pytest

from orders.models import Order
from tests.factories import order_body
from tests.helpers import BASE, assert_error, raw


# --- Languages ----------------------------------------------------------------------------------------------
def test_anonymous_default_language_answers_chinese_drf_message(db, anon_client):
    response = anon_client.get(BASE + "orders")

    body = assert_error(response, 401, "not_authenticated")
    assert body["message"] == "身份认证信息未提供。"
    assert response["Content-Language"] == "zh-hans"


def test_anonymous_accept_language_en_answers_english_message(db, anon_client):
    response = anon_client.get(BASE + "orders", HTTP_ACCEPT_LANGUAGE="en")

    body = assert_error(response, 401, "not_authenticated")
    assert body["message"] == "Authentication credentials were not provided."
    assert response["Content-Language"] == "en"


def test_bad_token_default_language_answers_chinese_drf_message(db, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token nope")

    chinese = anon_client.get(BASE + "orders")
    english = anon_client.get(BASE + "orders", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert assert_error(chinese, 401, "authentication_failed")["message"] == "认证令牌无效。"
    assert assert_error(english, 401, "authentication_failed")["message"] == "Invalid token."


def test_not_found_message_follows_accept_language(api):
    chinese = api.get(BASE + "orders/999999")
    english = api.get(BASE + "orders/999999", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 404, "not_found")["message"] == "未找到。"
    assert assert_error(english, 404, "not_found")["message"] == "Not found."


def test_required_field_message_follows_accept_language(api, suppliers):
    body = order_body(suppliers)
    del body["type"]

    chinese = api.post(BASE + "orders", body, format="json")
    english = api.post(BASE + "orders", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 400, "validation_error")["data"]["errors"] == {"type": ["该字段是必填项。"]}
    assert assert_error(english, 400, "validation_error")["data"]["errors"] == {"type": ["This field is required."]}
    assert Order.objects.count() == 0


def test_method_not_allowed_message_follows_accept_language(api):
    chinese = api.delete(BASE + "orders")
    english = api.delete(BASE + "orders", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 405, "method_not_allowed")["message"] == "方法 “DELETE” 不被允许。"
    assert assert_error(english, 405, "method_not_allowed")["message"] == 'Method "DELETE" not allowed.'


def test_unsupported_media_type_message_follows_accept_language(api):
    english = raw(api, "post", "orders", "x", content_type="text/plain", HTTP_ACCEPT_LANGUAGE="en")
    chinese = raw(api, "post", "orders", "x", content_type="text/plain")

    assert assert_error(english, 415, "unsupported_media_type")["message"] == (
        'Unsupported media type "text/plain" in request.'
    )
    assert assert_error(chinese, 415, "unsupported_media_type")["message"] == "不支持请求中的媒体类型 “text/plain”。"


def test_our_own_message_in_english_with_accept_language_en(api):
    response = api.get(BASE + "orders", {"per_page": "0"}, HTTP_ACCEPT_LANGUAGE="en")

    body = assert_error(response, 400, "validation_error")
    assert body["data"]["errors"] == {"per_page": ["Must be an integer from 1 to 100."]}


@pytest.mark.parametrize(
    ("accept_language", "message", "content_language"),
    [
        ("zh-CN", "身份认证信息未提供。", "zh-hans"),
        ("zh-Hans", "身份认证信息未提供。", "zh-hans"),
        ("en-GB", "Authentication credentials were not provided.", "en"),
        ("fr", "身份认证信息未提供。", "zh-hans"),
        ("de-DE,en;q=0.5", "Authentication credentials were not provided.", "en"),
    ],
)
def test_anonymous_accept_language_variants_pick_supported_language(
    db, anon_client, accept_language, message, content_language
):
    response = anon_client.get(BASE + "orders", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert assert_error(response, 401, "not_authenticated")["message"] == message
    assert response["Content-Language"] == content_language


def test_unknown_api_path_message_follows_accept_language(db, anon_client):
    chinese = anon_client.get("/api/nothing")
    english = anon_client.get("/api/nothing", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 404, "not_found")["message"] == "未找到。"
    assert assert_error(english, 404, "not_found")["message"] == "Not found."
