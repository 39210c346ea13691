"""Concurrent uploads on PostgreSQL: the files are prepared and stored in parallel, the rules are
decided one upload at a time under the order's row lock — so the same file sent twice at once is
attached once, the 50-per-order cap holds, and a refused upload leaves no file behind.

Threads share a barrier and each uses its own connection (tests/orders/test_concurrency.py);
SQLite serialises every writer on one file lock, so these run on PostgreSQL only.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from afterservice_site.settings import attachments_storage
from orders import services
from orders.models import Attachment, Order
from tests import files
from tests.factories import make_order
from tests.orders.test_concurrency import OK, fresh_user, outcome, run_together

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage({}, tmp_path / "media")}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    return tmp_path / "media" / "attachments"


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def upload(user, order, data: bytes, name: str) -> str:
    services.attachment_add(user=fresh_user(user), order_id=order.pk, uploaded_file=SimpleUploadedFile(name, data))
    return OK


def test_same_file_uploaded_four_times_at_once_is_attached_once(users, suppliers, attachments_root):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    photo = files.jpeg((800, 600), orientation=files.ROTATE_CLOCKWISE)

    results = run_together(4, lambda index: upload(users["creator"], order, photo, f"{index}.jpg"))

    assert Counter(outcome(result) for result in results) == {OK: 1, "Conflict": 3}
    attachment = Attachment.objects.get(order=order)
    assert stored_files(attachments_root) == sorted(attachments_root / name for name in attachment.stored_names)
    assert Order.objects.get(pk=order.pk).attachment_count == 1
    assert order.journals.filter(operation="edit").count() == 1


def test_uploads_at_once_past_the_cap_stop_at_50(users, suppliers, attachments_root):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    for n in range(48):
        upload(users["creator"], order, files.pdf_of_size(1000 + n), f"{n}.pdf")

    results = run_together(
        4, lambda index: upload(users["creator"], order, files.pdf_of_size(2000 + index), f"new-{index}.pdf")
    )

    assert Counter(outcome(result) for result in results) == {OK: 2, "Conflict": 2}
    assert Attachment.objects.filter(order=order).count() == 50
    assert Order.objects.get(pk=order.pk).attachment_count == 50
    assert len(stored_files(attachments_root)) == 50  # PDFs: no thumbnails
