"""Attachments (evidence) on an order: add one file, remove one.

The file's own work (checked by content, re-encoded, hashed, thumbnailed, stored) is
`orders.uploads`'; here is the order's side: the edit table, the 50-per-order cap, duplicates,
the row, the order's attachment count and the journal.

Adding costs CPU (decoding and re-encoding an image), so it happens before the order's row is
locked, never while other writers wait on it: a cheap check without the lock refuses early what
would be refused anyway, then the file is prepared and stored, then one transaction locks the
order, checks everything again and writes. If that transaction fails, the stored files are
deleted; removing an attachment deletes its files only once the removal is committed.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from afterservice_site.people import display_name
from orders import selectors, uploads, wire, workflow
from orders.exceptions import Conflict, InvalidInput, NotAllowedNow, NotPermitted
from orders.models import MAX_ATTACHMENTS, AbnormalProduct, Attachment, Order
from orders.services import audit
from orders.services.audit import ChangeLog
from orders.services.common import lock_order, require_editable, state_label
from orders.services.records import finish_edit, require_room
from orders.workflow import Content, Status


def _require_line(order: Order, abnormal_product_id: int | None) -> None:
    """`abnormal_product_id`, when given, is a line of this order (invalid input otherwise)."""
    if abnormal_product_id is None:
        return
    if not AbnormalProduct.objects.filter(order=order, pk=abnormal_product_id).exists():
        raise InvalidInput.field(
            "abnormal_product_id",
            _("No abnormal product line %(id)s on this order.") % {"id": abnormal_product_id},
        )


def _require_new(order: Order, sha256: str) -> None:
    """The same bytes are on this order at most once (409 `conflict`)."""
    existing = Attachment.objects.filter(order=order, sha256=sha256).values_list("name", flat=True).first()
    if existing is not None:
        raise Conflict(_("This file is already attached to the order (as “%(name)s”).") % {"name": existing})


def require_removable(order: Order, user: Any, attachment: Attachment) -> None:
    """The attachment of the locked order may be removed now, by `user`: NotAllowedNow when nobody
    may (the order moved on from the status it was added at, or is halted, cancelled or done),
    NotPermitted when someone else may (its uploader; superusers always may)."""
    if not workflow.attachment_removable(order, attachment.status):
        raise NotAllowedNow(
            _("This file was added while the order was %(added)s; it cannot be removed while the order is %(state)s.")
            % {"added": Status(attachment.status).label, "state": state_label(order)}
        )
    if not workflow.may_remove_attachment(
        order, user, added_status=attachment.status, uploader_id=attachment.uploaded_by_id
    ):
        raise NotPermitted(
            _("Only %(name)s, who uploaded this file, may remove it.") % {"name": attachment.uploaded_by_name}
        )


def attachment_add(
    *,
    user: Any,
    order_id: int,
    uploaded_file: File,
    abnormal_product_id: int | None = None,
    remark: str = "",
    file_field: str = "file",
) -> Attachment:
    """`POST orders/<id>/attachments`: one file on the order, optionally tied to one of its
    abnormal product lines. `file_field` is the form field the file came in (errors about the file
    name it; the old app sends `file_data`).

    Refused: an invisible order (NotFound); the edit table (NotAllowedNow, NotPermitted); a line
    of another order (InvalidInput on `abnormal_product_id`); the file (`uploads.prepare_upload`:
    InvalidInput on `file_field`, FileTooLarge, UnsupportedFile); 50 files already, or these bytes
    already on the order (Conflict). Side effects: the file and its thumbnail in the attachments
    storage (removed again when the transaction fails), the order's `attachment_count` and
    `updated_at`, one `edit` journal row with the attachment's fields.
    """
    # Before the file costs anything: what the locked checks below would refuse anyway.
    order = selectors.order_get(user=user, order_id=order_id, details=False)
    require_editable(order, user, Content.ATTACHMENTS)
    require_room(order, Attachment, MAX_ATTACHMENTS, 1)
    _require_line(order, abnormal_product_id)
    with uploads.prepare_upload(uploaded_file, field=file_field) as prepared:
        stored = uploads.store(prepared, prefix=f"orders/{order.pk}")
        try:
            with transaction.atomic():
                order = lock_order(user, order_id)
                require_editable(order, user, Content.ATTACHMENTS)
                require_room(order, Attachment, MAX_ATTACHMENTS, 1)
                _require_new(order, prepared.sha256)
                _require_line(order, abnormal_product_id)
                attachment = Attachment.objects.create(
                    order=order,
                    abnormal_product_id=abnormal_product_id,
                    file_name=stored.name,
                    thumbnail_name=stored.thumbnail_name or "",
                    name=prepared.name,
                    content_type=prepared.content_type,
                    size=prepared.size,
                    sha256=prepared.sha256,
                    width=prepared.width,
                    height=prepared.height,
                    remark=remark,
                    uploaded_by=user,
                    uploaded_by_name=display_name(user),
                    status=order.status,
                )
                changes = ChangeLog()
                changes.created(audit.ATTACHMENT, attachment.pk, wire.attachment(attachment))
                order.attachment_count += 1
                finish_edit(order, user, changes)
        except BaseException:
            uploads.delete_stored(stored.names)
            raise
    return attachment


@transaction.atomic
def attachment_delete(*, user: Any, order_id: int, attachment_id: int) -> None:
    """`DELETE orders/<id>/attachments/<aid>`: by its uploader (or a superuser), while the order is
    in progress at the status the file was added at (`require_removable`). The row goes, the
    order's count and `updated_at` move, the journal gets the removal; the stored files are
    deleted once this is committed (a rollback keeps them)."""
    order, changes = lock_order(user, order_id), ChangeLog()
    attachment = selectors.attachment_of_order(order=order, attachment_id=attachment_id)
    require_removable(order, user, attachment)
    changes.deleted(audit.ATTACHMENT, attachment.pk, wire.attachment(attachment))
    names = attachment.stored_names
    attachment.delete()
    order.attachment_count = max(0, order.attachment_count - 1)
    finish_edit(order, user, changes)
    transaction.on_commit(lambda: uploads.delete_stored(names))
