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
`filters`, `export` (CSV, testable without the admin), `journal`, `options`.
"""

from orders.admin import journal, options, order  # noqa: F401 - registers the model admins
