"""Attachments on the order page: the inline with thumbnails, upload and removal.

The files are shown through the API's own routes (`…/attachments/<aid>/thumbnail` and
`…/download`), which the admin's session authenticates and which check who may see the order.
Upload and removal post to two views of the order admin that call `services.attachment_add` /
`services.attachment_delete` — the API's rules, row lock and journal row. Their little forms live
outside the change form (forms do not nest; the change form's own inputs are not sent with them):
the controls in the inline name them with the HTML `form` attribute.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from orders import services, uploads, workflow
from orders.admin.common import error_text
from orders.exceptions import DomainError, NotPermitted
from orders.models import MAX_TEXT, AbnormalProduct, Attachment, Order
from orders.workflow import Content

UPLOAD_FORM_ID = "attachment-upload-form"
REMOVE_FORM_ID = "attachment-remove-form"
# What the file picker offers (the server decides by content, whatever the picker allowed).
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"


class AttachmentUploadForm(forms.Form):
    """The fields beside the file (the file is read by `uploads.uploaded_file_from`)."""

    abnormal_product_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    remark = forms.CharField(required=False, max_length=MAX_TEXT)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["abnormal_product_id"].choices = line_choices(order)


def line_choices(order: Order) -> list[tuple[Any, str]]:
    lines = (
        AbnormalProduct.objects.filter(order=order).order_by("id").values_list("id", "sku_code", "product_item_name")
    )
    return [("", "---------"), *((pk, f"{sku} {name}".strip()) for pk, sku, name in lines)]


class AttachmentInline(admin.TabularInline):
    """The order's files, oldest first: thumbnail (click: the file), name, size, line, remark, who
    and when — read-only rows; a remove button where the user may remove the file now."""

    model = Attachment
    template = "admin/orders/order/attachments_inline.html"
    fields = ["preview", "name", "file_size", "abnormal_product", "remark", "uploader", "status", "created_at"]
    readonly_fields = fields
    ordering = ["id"]
    extra = 0
    can_delete = False
    show_change_link = False

    def get_formset(self, request: HttpRequest, obj: Order | None = None, **kwargs: Any) -> Any:
        # Inline instances are made per request: what the row buttons need of it.
        self.request, self.order = request, obj
        return super().get_formset(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        return [*self.fields, "remove"]

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        return self.get_fields(request, obj)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("abnormal_product")

    @admin.display(description=_("preview"))
    def preview(self, attachment: Attachment) -> str:
        download = reverse("attachment-download", args=[attachment.order_id, attachment.pk])
        if not attachment.thumbnail_name:
            return format_html('<a class="attachment-file" href="{}">PDF</a>', download)
        return format_html(
            '<a href="{}" title="{}"><img class="attachment-thumbnail" src="{}" alt="{}" loading="lazy"></a>',
            download,
            attachment.name,
            reverse("attachment-thumbnail", args=[attachment.order_id, attachment.pk]),
            attachment.name,
        )

    @admin.display(description=_("size"))
    def file_size(self, attachment: Attachment) -> str:
        return filesizeformat(attachment.size)

    @admin.display(description=Attachment._meta.get_field("uploaded_by").verbose_name)
    def uploader(self, attachment: Attachment) -> str:
        return attachment.uploaded_by_name

    @admin.display(description=_("remove"))
    def remove(self, attachment: Attachment) -> str:
        order, request = getattr(self, "order", None), getattr(self, "request", None)
        if (
            order is None
            or order.is_deleted
            or not request.user.has_perm("orders.delete_attachment")
            or not workflow.may_remove_attachment(
                order, request.user, added_status=attachment.status, uploader_id=attachment.uploaded_by_id
            )
        ):
            return "—"
        return format_html(
            '<button type="submit" class="button attachment-remove" form="{}" formaction="{}" data-confirm="{}">'
            "{}</button>",
            REMOVE_FORM_ID,
            reverse("admin:orders_order_attachment_remove", args=[attachment.order_id, attachment.pk]),
            gettext("Remove “%(name)s”? The file is deleted; the journal keeps the record.")
            % {"name": attachment.name},
            gettext("Remove"),
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # uploads go through the panel below the rows (a file, not a form row)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # removal is the row's button (the uploader's, at the step it was added)


class AttachmentsMixin(admin.ModelAdmin):
    """`OrderAdmin`'s attachment panel (upload form, remove buttons) and the views they post to."""

    def _may_upload(self, request: HttpRequest, order: Order) -> bool:
        return (
            not order.is_deleted
            and request.user.has_perm("orders.add_attachment")
            and workflow.may_edit(order, request.user, Content.ATTACHMENTS)
        )

    def attachment_panel(self, request: HttpRequest, order: Order) -> dict[str, Any]:
        """The change page's attachment panel (`OrderAdmin.change_view` renders it)."""
        may_upload = self._may_upload(request, order)
        return {
            "upload_form": UPLOAD_FORM_ID,
            "remove_form": REMOVE_FORM_ID,
            "may_upload": may_upload,
            "upload_url": reverse("admin:orders_order_attachment_upload", args=[order.pk]),
            "lines": line_choices(order) if may_upload else [],
            "accept": ACCEPT,
            "limit": gettext("JPEG, PNG, WebP or HEIC photos and PDF documents, at most %(mb)s MB each.")
            % {"mb": uploads.max_file_bytes() // (1024 * 1024)},
            "labels": {
                "title": gettext("Add a file"),
                "file": gettext("File"),
                "line": AbnormalProduct._meta.verbose_name,
                "remark": Attachment._meta.get_field("remark").verbose_name,
                "upload": gettext("Upload"),
            },
        }

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path(
                "<path:object_id>/attachments/upload/",
                self.admin_site.admin_view(self.attachment_upload_view),
                name=f"{prefix}_attachment_upload",
            ),
            path(
                "<path:object_id>/attachments/<int:attachment_id>/remove/",
                self.admin_site.admin_view(self.attachment_remove_view),
                name=f"{prefix}_attachment_remove",
            ),
        ]
        return own + super().get_urls()

    def _order_for_attachments(self, request: HttpRequest, object_id: str, permission: str) -> Order:
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404
        if not self.has_view_permission(request, order) or not request.user.has_perm(permission):
            raise PermissionDenied
        return order

    @staticmethod
    def _back(order_id: Any) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order_id]) + "#attachments-group")

    # The upload handlers must be in place before anything reads the body, and the CSRF check
    # reads it: this view is exempt from the middleware's check and runs the same check itself
    # once the handlers are set (Django's documented pattern for custom upload handlers).
    @csrf_exempt
    def attachment_upload_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST {file, abnormal_product_id, remark}: `services.attachment_add`, then back to the order."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # The file streams to a temporary file and the upload stops as soon as it is too big.
        request.upload_handlers = [uploads.LimitedTemporaryFileUploadHandler()]
        try:
            return csrf_protect(self._attachment_upload)(request, object_id)
        except DomainError as exc:  # too big: raised while the body is read, before the CSRF check ends
            self.message_user(request, error_text(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:orders_order_change", args=[unquote(object_id)]))

    def _attachment_upload(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for_attachments(request, object_id, "orders.add_attachment")
        form = AttachmentUploadForm(request.POST, order=order)
        if not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    self.message_user(request, text, messages.ERROR)
            return self._back(order.pk)
        try:
            attachment = services.attachment_add(
                user=request.user,
                order_id=order.pk,
                uploaded_file=uploads.uploaded_file_from(request.FILES),
                abnormal_product_id=form.cleaned_data["abnormal_product_id"],
                remark=form.cleaned_data["remark"],
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return self._back(order.pk)
        self.message_user(request, gettext("“%(name)s” was added.") % {"name": attachment.name}, messages.SUCCESS)
        return self._back(order.pk)

    def attachment_remove_view(self, request: HttpRequest, object_id: str, attachment_id: int) -> HttpResponse:
        """POST: `services.attachment_delete`, then back to the order (CSRF-protected by `admin_view`)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self._order_for_attachments(request, object_id, "orders.delete_attachment")
        name = Attachment.objects.filter(order=order, pk=attachment_id).values_list("name", flat=True).first()
        try:
            services.attachment_delete(user=request.user, order_id=order.pk, attachment_id=attachment_id)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return self._back(order.pk)
        self.message_user(request, gettext("“%(name)s” was removed.") % {"name": name}, messages.SUCCESS)
        return self._back(order.pk)
