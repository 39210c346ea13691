"""Thin DRF views: validate input → call a service or selector → serialize.

Errors are not caught here: `afterservice_site.errors.exception_handler` maps them.
"""

from orders.views.attachments import (
    AttachmentDetailView,
    AttachmentDownloadView,
    AttachmentListView,
    AttachmentThumbnailView,
    LegacyDownloadView,
    LegacyUploadView,
)
from orders.views.options import OptionListView
from orders.views.orders import OrderBulkView, OrderDetailView, OrderListView, OrderSummaryView
from orders.views.records import (
    AbnormalProductDetailView,
    AbnormalProductListView,
    DeductionDetailView,
    DeductionListView,
    DutyReportView,
    JournalListView,
    TrackListView,
)

__all__ = [
    "AbnormalProductDetailView",
    "AbnormalProductListView",
    "AttachmentDetailView",
    "AttachmentDownloadView",
    "AttachmentListView",
    "AttachmentThumbnailView",
    "DeductionDetailView",
    "DeductionListView",
    "DutyReportView",
    "JournalListView",
    "LegacyDownloadView",
    "LegacyUploadView",
    "OptionListView",
    "OrderBulkView",
    "OrderDetailView",
    "OrderListView",
    "OrderSummaryView",
    "TrackListView",
]
