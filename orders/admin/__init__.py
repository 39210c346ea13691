"""Back office for after-sales orders: the admin the after-sales staff work in.

The admin never writes an order, its records or its status itself. Every save goes through
`orders.services` — the same functions, guards, row lock and journal rows as the API:

- the add form → `services.order_create`;
- the change form (header fields and every inline together) → one `services.order_update`,
  so one save is one transaction, like one `PUT orders/<id>`;
- the workflow buttons → `<id>/operation/` → `services.order_apply_operation`;
- the "resume" action → `services.order_apply_operation` per order.

What is editable follows the edit table of `orders.workflow` (`EDIT_TABLE`, `may_edit`);
the rest is shown read-only, so the service's 409/403 only happen on a race. Journal rows are
read-only for everyone, superusers included.

Modules: `order` (the order pages), `workflow_panel` (its operation buttons and their view),
`forms`, `inlines` and `formsets` (the change form and how it becomes one service call),
`filters`, `bulk` (operations on the selected orders), `export` (CSV, testable without the admin),
`journal`, `options`, `roles` (users and role groups), `changes` (the journal's changes in words),
`attachments` (the order's files: inline with thumbnails, upload and removal through the services).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orders.admin import journal, options, order, roles  # noqa: F401 - registers the model admins

# The product's name in the header and the browser tab, not Django's.
admin.site.site_header = _("After-sales claims (售后单)")
admin.site.site_title = _("After-sales claims")
admin.site.index_title = _("Back office")
# The order changelist needs the width (ten columns beside the filters at 1,400 px); the index and
# the breadcrumbs lead to the same pages as the sidebar would.
admin.site.enable_nav_sidebar = False
