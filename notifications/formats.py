"""What a delivery posts, per webhook format, and how each platform says the post was accepted.

- `generic`: our JSON, signed: `X-Afterservice-Signature: sha256=<hex HMAC-SHA256 of the raw body,
  keyed with the webhook's secret>`.
- `wecom` (企业微信 group robot): `{"msgtype": "markdown", "markdown": {"content": ...}}` to the
  robot's URL (its `key` is in the URL; WeCom defines no signature).
- `dingtalk` (钉钉 custom robot): `{"msgtype": "markdown", "markdown": {"title", "text"}}`; with a
  secret (加签), `timestamp` (ms) and `sign` = URL-encoded base64 HMAC-SHA256 of
  "timestamp\\nsecret" keyed with the secret, added to the URL's query.
- `feishu` (飞书 custom bot): `{"msg_type": "post", "content": {"post": {<lang>: {"title",
  "content"}}}}`; with a secret (签名校验), `timestamp` (s) and `sign` = base64 HMAC-SHA256 of an
  empty message keyed with "timestamp\\nsecret", in the body.

The three platforms answer HTTP 200 also when they refuse a message, with an error code in the
JSON body (`errcode` / `code`); `reply_error` reads it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.http import Outgoing
from notifications.models import DELIVERY_KINDS, WebhookFormat

SIGNATURE_HEADER = "X-Afterservice-Signature"
# WeCom refuses markdown content over 4,096 bytes; DingTalk and Feishu allow more.
MAX_CHAT_BYTES = 4000


def signature(secret: str, body: bytes) -> str:
    """The `X-Afterservice-Signature` value of a generic delivery's raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def build(*, format: str, url: str, secret: str, delivery_id: int, event: dict[str, Any], now: datetime) -> Outgoing:
    """The request a delivery sends; `now` stamps the platforms' signatures."""
    if format == WebhookFormat.GENERIC:
        body = _json({"delivery_id": delivery_id, **event})
        headers = {
            SIGNATURE_HEADER: signature(secret, body),
            "X-Afterservice-Event": event["event"],
            "X-Afterservice-Delivery": str(delivery_id),
        }
        return Outgoing(url, body, headers)
    with translation.override(settings.LANGUAGE_CODE):
        title, lines, link = _chat_text(event)
    if format == WebhookFormat.WECOM:
        content = _cap("\n".join([f"### {title}", *lines, link]))
        return Outgoing(url, _json({"msgtype": "markdown", "markdown": {"content": content}}))
    if format == WebhookFormat.DINGTALK:
        text = _cap("\n\n".join([f"### {title}", *lines, link]))
        if secret:
            stamp = str(int(now.timestamp() * 1000))
            digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
            url = f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={quote_plus(base64.b64encode(digest))}"
        return Outgoing(url, _json({"msgtype": "markdown", "markdown": {"title": title, "text": text}}))
    if format == WebhookFormat.FEISHU:
        language = "zh_cn" if settings.LANGUAGE_CODE.lower().startswith("zh") else "en_us"
        paragraphs: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in _plain(lines)]
        href = event.get("link", "")
        if href.startswith(("http://", "https://")):
            with translation.override(settings.LANGUAGE_CODE):
                paragraphs.append([{"tag": "a", "text": _("Open the order"), "href": href}])
        elif href:
            paragraphs.append([{"tag": "text", "text": href}])
        body: dict[str, Any] = {
            "msg_type": "post",
            "content": {"post": {language: {"title": title, "content": paragraphs}}},
        }
        if secret:
            stamp = str(int(now.timestamp()))
            digest = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
            body = {"timestamp": stamp, "sign": base64.b64encode(digest).decode(), **body}
        return Outgoing(url, _json(body))
    raise ValueError(f"unknown webhook format {format!r}")


def reply_error(format: str, status: int | None, body: bytes) -> str:
    """Why an answer is not an acceptance ("" when it is one)."""
    if status is None:
        return ""
    if not 200 <= status < 300:
        return f"HTTP {status}"
    if format == WebhookFormat.GENERIC:
        return ""
    try:
        reply = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "the platform's answer is not JSON"
    if not isinstance(reply, dict):
        return "the platform's answer is not a JSON object"
    if format == WebhookFormat.FEISHU:
        code = reply.get("code", reply.get("StatusCode"))
        message = reply.get("msg", reply.get("StatusMessage", ""))
    else:
        code, message = reply.get("errcode"), reply.get("errmsg", "")
    if code == 0:
        return ""
    return f"platform error {code}: {message}"[:500]


# --- Chat text ------------------------------------------------------------------------------------
def _chat_text(event: dict[str, Any]) -> tuple[str, list[str], str]:
    """Title, markdown lines and the link line of a chat message (in the active language)."""
    kind_label = str(dict(DELIVERY_KINDS).get(event["event"], event["event"]))
    order = event.get("order")
    if order:
        title = _("[%(kind)s] Order %(serial)s") % {"kind": kind_label, "serial": order["serial_number"]}
    else:
        title = f"[{kind_label}]"
    lines = [event["message"]]
    if order:
        step = order["status_label"]
        if order["workflow_status"] != "in_progress":
            step = f"{step} / {order['workflow_status_label']}"
        lines.append(_line(_("Step"), step))
    actor = event.get("actor")
    if actor:
        lines.append(_line(_("By"), actor["name"]))
    lines.append(_line(_("Time"), event["occurred_at"]))
    href = event.get("link", "")
    opener = _("Open the order")
    link = f"[{opener}]({href})" if href.startswith(("http://", "https://")) else href
    return title, lines, link


def _line(label: str, value: str) -> str:
    return f"> **{label}:** {value}"


def _plain(lines: list[str]) -> list[str]:
    """Markdown lines as plain text (Feishu `post` paragraphs are not markdown)."""
    return [line.removeprefix("> ").replace("**", "") for line in lines]


def _cap(text: str) -> str:
    data = text.encode()
    if len(data) <= MAX_CHAT_BYTES:
        return text
    return data[: MAX_CHAT_BYTES - 3].decode(errors="ignore") + "…"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
