"""Routes under /api/v1/afterservice/. The customer's paths have no trailing slash; `/?` accepts both."""

from django.urls import re_path

from orders import views


def route(pattern: str, view, name: str):
    return re_path(rf"^{pattern}/?$", view.as_view(), name=name)


ID = r"(?P<order_id>[0-9]{1,18})"
ATTACHMENT = r"(?P<attachment_id>[0-9]{1,18})"

urlpatterns = [
    route("orders", views.OrderListView, "order-list"),
    route("orders/bulk", views.OrderBulkView, "order-bulk"),
    route("orders/summary", views.OrderSummaryView, "order-summary"),
    route(rf"orders/{ID}", views.OrderDetailView, "order-detail"),
    route(rf"orders/{ID}/journals", views.JournalListView, "order-journals"),
    route(rf"{ID}/journals", views.JournalListView, "journals"),
    route(rf"orders/{ID}/abnormal-products", views.AbnormalProductListView, "abnormal-product-list"),
    route(
        rf"orders/{ID}/abnormal-products/(?P<line_id>[0-9]{{1,18}})",
        views.AbnormalProductDetailView,
        "abnormal-product-detail",
    ),
    route(rf"orders/{ID}/duty-report", views.DutyReportView, "duty-report"),
    route(rf"orders/{ID}/tracks", views.TrackListView, "track-list"),
    route(rf"orders/{ID}/deductions", views.DeductionListView, "deduction-list"),
    route(rf"orders/{ID}/deductions/(?P<deduction_id>[0-9]{{1,18}})", views.DeductionDetailView, "deduction-detail"),
    route(r"dutyreports/(?P<category>[a-z]{1,30})", views.OptionListView, "option-list"),
    route(rf"orders/{ID}/attachments", views.AttachmentListView, "attachment-list"),
    route(rf"orders/{ID}/attachments/{ATTACHMENT}", views.AttachmentDetailView, "attachment-detail"),
    route(rf"orders/{ID}/attachments/{ATTACHMENT}/download", views.AttachmentDownloadView, "attachment-download"),
    route(rf"orders/{ID}/attachments/{ATTACHMENT}/thumbnail", views.AttachmentThumbnailView, "attachment-thumbnail"),
    # The old app's paths.
    route(rf"uploads/{ID}", views.LegacyUploadView, "legacy-upload"),
    route(rf"download/{ATTACHMENT}", views.LegacyDownloadView, "legacy-download"),
]
