"""The back office (the admin): every role opens the order pages, applies its transition
through the admin (same service, same journal), and is refused what it may not do."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, OptionValue, Order, Track
from orders.workflow import Operation, Status, WorkflowStatus
from products.models import Product
from tests.factories import ProductFactory, SupplierFactory, UserFactory, make_order
from tests.helpers import advance, db_state, login

CHANGELIST = "admin:orders_order_changelist"
ROLES = ["service", "manager", "chief", "finance"]
# The step at which each role acts (the superuser acts everywhere; it submits a waiting order).
ACTS_AT = {
    "service": Status.SERVICE_APPROVING,
    "manager": Status.MANAGER_REVIEWING,
    "chief": Status.CHIEF_REVIEWING,
    "finance": Status.FINANCE_REVIEWING,
    "superuser": Status.WAITING,
}


# --- Fixtures and helpers -------------------------------------------------------------------------
@pytest.fixture
def order(creator, suppliers, products):
    return make_order(
        creator,
        suppliers["customer"],
        suppliers["accuser"],
        abnormal_products=[{"sku_code": "SKU-1", "remark": "划伤"}],
    )


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def operation_url(order):
    return reverse("admin:orders_order_operation", args=[order.pk])


def button(operation):
    return f'name="operation" value="{operation}"'


def form_data(response):
    """The POST body the change form would send as rendered: main form plus every inline formset."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def add_row(data, prefix, **fields):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    return data


def read_csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- Every role opens the pages and applies its own transition ------------------------------------
@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_changelist_and_change_page_open_for_role(staff, order, role):
    client = login(staff[role])

    listing = client.get(reverse(CHANGELIST))
    page = client.get(change_url(order))

    assert listing.status_code == 200
    assert order.serial_number in listing.text
    assert page.status_code == 200
    assert order.serial_number in page.text
    assert "order-workflow" in page.text


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_operation_done_by_acting_role_moves_order_and_journals(staff, order, role):
    order = advance(staff, order, ACTS_AT[role], ready=True)
    client = login(staff[role])
    assert button("done") in client.get(change_url(order)).text

    response = client.post(
        operation_url(order), {"operation": "done", "remark": "同意 ok", "expected_status": order.status}
    )

    assert response.status_code == 302
    assert response.url == change_url(order)
    moved = Order.objects.get(pk=order.pk)
    assert moved.status != order.status
    entry = moved.journals.order_by("id").last()
    assert (entry.operation, entry.source, entry.target) == ("done", order.status, moved.status)
    assert entry.operator == staff[role]
    assert entry.remark == "同意 ok"
    page = client.get(change_url(order))
    assert "同意 ok" in page.text  # the read-only journal inline, newest last
    journal = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is Journal)
    assert [form.instance.pk for form in journal.formset.forms][-1] == entry.pk


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("service", Status.MANAGER_REVIEWING),
        ("manager", Status.SERVICE_APPROVING),
        ("chief", Status.FINANCE_REVIEWING),
        ("service", Status.FINANCE_REVIEWING),  # finance-only step: a specialist sees no finance button
        ("finance", Status.CHIEF_REVIEWED),
    ],
)
def test_operation_of_other_role_hidden_and_forged_post_refused(staff, order, role, status):
    order = advance(staff, order, status)
    client = login(staff[role])
    before = db_state(order)

    page = client.get(change_url(order))
    forged = client.post(operation_url(order), {"operation": "done", "remark": "x", "expected_status": status})
    forged_reject = client.post(operation_url(order), {"operation": "reject", "remark": "x"})

    assert page.status_code == 200
    assert button("done") not in page.text
    assert button("reject") not in page.text
    assert forged.status_code == 403
    assert forged_reject.status_code == 403
    assert db_state(order) == before


def test_operation_by_staff_without_role_refused(db, order, other_creator):
    other_creator.is_staff = True
    other_creator.save()
    client = login(other_creator)
    before = db_state(order)

    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.post(operation_url(order), {"operation": "done"}).status_code == 403
    assert db_state(order) == before


def test_operation_post_without_csrf_token_refused(staff, order):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["superuser"])
    before = db_state(order)

    response = client.post(operation_url(order), {"operation": "done", "expected_status": order.status})

    assert response.status_code == 403
    assert db_state(order) == before


# --- Reject, conflicts, invalid operations --------------------------------------------------------
def test_reject_without_reason_asks_for_it_and_changes_nothing(staff, order):
    order = advance(staff, order, Status.SERVICE_APPROVING)
    client = login(staff["service"])
    before = db_state(order)

    asked = client.get(operation_url(order), {"operation": "reject"})
    refused = client.post(
        operation_url(order), {"operation": "reject", "remark": "  ", "expected_status": order.status}
    )

    assert asked.status_code == 200
    assert 'name="remark"' in asked.text
    assert refused.status_code == 200
    assert refused.context["form"].errors["remark"]
    assert db_state(order) == before


def test_reject_with_reason_moves_back_and_journals_reason(staff, order):
    order = advance(staff, order, Status.SERVICE_APPROVING)
    client = login(staff["service"])

    response = client.post(
        operation_url(order), {"operation": "reject", "remark": "资料不全", "expected_status": order.status}
    )

    assert response.status_code == 302
    moved = Order.objects.get(pk=order.pk)
    assert moved.status == Status.WAITING
    entry = moved.journals.order_by("id").last()
    assert (entry.operation, entry.remark, entry.operator) == ("reject", "资料不全", staff["service"])


def test_operation_with_stale_expected_status_is_conflict_and_changes_nothing(staff, order):
    order = advance(staff, order, Status.SERVICE_APPROVED)
    client = login(staff["service"])
    before = db_state(order)

    # The specialist double-taps `done` on a page that still showed service_approving.
    response = client.post(
        operation_url(order), {"operation": "done", "expected_status": Status.SERVICE_APPROVING}, follow=True
    )

    assert response.redirect_chain[-1][0] == change_url(order)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert db_state(order) == before


def test_operation_not_allowed_in_state_is_error_message_and_changes_nothing(staff, order):
    client = login(staff["superuser"])
    before = db_state(order)

    response = client.post(operation_url(order), {"operation": "reject", "remark": "不行"}, follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert db_state(order) == before


def test_operation_form_for_operation_not_open_redirects(staff, order):
    client = login(staff["manager"])

    response = client.get(operation_url(order), {"operation": "reject"})

    assert response.status_code == 302


def test_workflow_operations_halt_and_resume_through_admin(staff, order):
    client = login(staff["manager"])

    client.post(operation_url(order), {"operation": "halt", "remark": "等供应商回复"})
    halted = Order.objects.get(pk=order.pk)
    page = client.get(change_url(order))
    client.post(operation_url(order), {"operation": "resume"})

    assert halted.workflow_status == WorkflowStatus.HALT
    assert button("resume") in page.text
    assert button("done") not in page.text
    assert Order.objects.get(pk=order.pk).workflow_status == WorkflowStatus.IN_PROGRESS
    assert list(order.journals.order_by("id").values_list("operation", flat=True)) == ["create", "halt", "resume"]


# --- Journal rows are immutable in the admin -------------------------------------------------------
def test_journal_rows_cannot_be_added_changed_or_deleted_even_by_superuser(staff, order):
    client = login(staff["superuser"])
    entry = order.journals.get()
    change = reverse("admin:orders_journal_change", args=[entry.pk])

    listing = client.get(reverse("admin:orders_journal_changelist"))
    add = client.get(reverse("admin:orders_journal_add"))
    view = client.get(change)
    edit = client.post(change, {"remark": "改了"})
    delete = client.post(reverse("admin:orders_journal_delete", args=[entry.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:orders_journal_changelist"), {"action": "delete_selected", "_selected_action": [entry.pk]}
    )

    assert listing.status_code == 200
    assert "delete_selected" not in listing.text
    assert add.status_code == 403
    assert view.status_code == 200
    assert edit.status_code == 403
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)
    assert Journal.objects.filter(pk=entry.pk, remark="").exists()
    journal = next(
        f for f in client.get(change_url(order)).context["inline_admin_formsets"] if f.formset.model is Journal
    )
    assert not (journal.has_add_permission or journal.has_change_permission or journal.has_delete_permission)


# --- The change form saves through the service ------------------------------------------------------
def test_change_form_header_edit_while_waiting_goes_through_service(staff, order):
    client = login(staff["service"])
    data = form_data(client.get(change_url(order)))
    data["type"] = "交期投诉"

    response = client.post(change_url(order), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert Order.objects.get(pk=order.pk).type == "交期投诉"


def test_change_form_header_read_only_once_past_service_approving(staff, order):
    order = advance(staff, order, Status.MANAGER_REVIEWING)
    client = login(staff["manager"])
    page = client.get(change_url(order))
    data = form_data(page)
    data["type"] = "改不了"

    response = client.post(change_url(order), data)

    assert "type" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).type == order.type


def test_change_form_inlines_add_line_track_and_duty_report_through_service(staff, order, products):
    order = advance(staff, order, Status.SERVICE_APPROVING)
    client = login(staff["service"])
    data = form_data(client.get(change_url(order)))
    add_row(data, "abnormal_products", product=products[1].pk, remark="色差")
    add_row(data, "tracks", remark="已联系供应商")
    data.update(
        {
            "duty_report-0-abnormal_type": "质量",
            "duty_report-0-publish_to": "成品供应商",
            "duty_report-0-compensation": "5000",
            "duty_report-0-duty_to": "被告工厂",
        }
    )

    response = client.post(change_url(order), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    lines = list(AbnormalProduct.objects.filter(order=order).order_by("id"))
    assert [(line.sku_code, line.product_item_name, line.remark) for line in lines][-1] == ("SKU-2", "沙发2", "色差")
    track = Track.objects.get(order=order)
    assert (track.remark, track.operator, track.operator_name) == ("已联系供应商", staff["service"], "李四")
    report = DutyReport.objects.get(order=order)
    assert (report.abnormal_type, report.compensation, report.duty_to_supplier.name) == ("质量", 5000, "被告工厂")


def test_change_form_save_records_inline_changes_in_admin_history(staff, order, products):
    # `formsets.note_formset_changes` fills the attributes Django's `construct_change_message` reads
    # from a saved formset (the formsets are never saved by Django here: the service writes). If a
    # Django upgrade reads something else, the history entry loses its inline changes and this fails.
    from django.contrib.admin.models import LogEntry

    order = advance(staff, order, Status.SERVICE_APPROVING)
    client = login(staff["service"])
    data = form_data(client.get(change_url(order)))
    add_row(data, "tracks", remark="已联系供应商")

    response = client.post(change_url(order), data)

    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(order.pk))
    assert entry.get_change_message() == "添加了 售后跟踪“已联系供应商”。"


def test_change_form_duty_report_value_outside_option_list_is_form_error(staff, order):
    order = advance(staff, order, Status.SERVICE_APPROVING)  # where the specialist writes the duty report
    client = login(staff["service"])
    data = form_data(client.get(change_url(order)))
    data["duty_report-0-abnormal_type"] = "不存在的类型"

    response = client.post(change_url(order), data)

    assert response.status_code == 200
    assert not DutyReport.objects.filter(order=order).exists()


def test_change_form_line_removed_through_service(staff, order):
    client = login(staff["superuser"])
    data = form_data(client.get(change_url(order)))
    data["abnormal_products-0-DELETE"] = "on"

    response = client.post(change_url(order), data)

    assert response.status_code == 302
    assert not AbnormalProduct.objects.filter(order=order).exists()


def test_deduction_added_by_finance_assigns_charge_number(staff, order):
    order = advance(staff, order, Status.FINANCE_REVIEWING)
    client = login(staff["finance"])
    data = add_row(form_data(client.get(change_url(order))), "deductions", compensation="1200.50", remark="扣款")

    response = client.post(change_url(order), data)

    assert response.status_code == 302
    deduction = Deduction.objects.get(order=order)
    assert str(deduction.compensation) == "1200.50"
    assert Order.objects.get(pk=order.pk).charge_number.startswith("CH")


def test_deduction_inline_read_only_for_manager(staff, order):
    order = advance(staff, order, Status.MANAGER_REVIEWING)
    client = login(staff["manager"])
    page = client.get(change_url(order))
    data = add_row(form_data(page), "deductions", compensation="99", remark="伪造")

    client.post(change_url(order), data)

    deductions = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is Deduction)
    assert not deductions.has_add_permission
    assert not Deduction.objects.filter(order=order).exists()


def test_change_page_view_only_when_order_halted(staff, order):
    services.order_apply_operation(user=staff["superuser"], order_id=order.pk, operation=Operation.HALT)
    client = login(staff["service"])
    page = client.get(change_url(order))
    data = form_data(page)

    response = client.post(change_url(order), add_row(data, "tracks", remark="停了还写"))

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert button("resume") in page.text
    assert response.status_code == 403
    assert not Track.objects.filter(order=order).exists()


def test_add_order_through_admin_calls_order_create(staff, suppliers, products):
    client = login(staff["service"])
    add = reverse("admin:orders_order_add")
    data = form_data(client.get(add))
    data.update(
        {
            "type": "质量投诉",
            "reason": "成品",
            "customer": suppliers["customer"].pk,
            "accuser": suppliers["accuser"].pk,
            "remark": "桌腿开裂",
            "abnormal_products-0-product": products[2].pk,
            "abnormal_products-0-remark": "开裂",
        }
    )

    response = client.post(add, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    order = Order.objects.get(remark="桌腿开裂")
    assert order.serial_number.startswith("SH")
    assert (order.status, order.creator, order.saler) == (Status.WAITING, staff["service"], staff["service"])
    assert order.creator_name == "李四"
    assert list(order.abnormal_products.values_list("sku_code", flat=True)) == ["SKU-3"]
    assert list(order.journals.values_list("operation", flat=True)) == ["create"]


# --- Changelist: queries, search, filters ---------------------------------------------------------
def test_changelist_of_50_orders_has_flat_query_count(staff, creator, suppliers, django_assert_max_num_queries):
    def changelist_queries():
        client = login(staff["service"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(CHANGELIST)).status_code == 200
        return len(queries)

    make_order(creator, suppliers["customer"], suppliers["accuser"])
    few = changelist_queries()
    for _ in range(49):
        make_order(creator, suppliers["customer"], suppliers["accuser"])
    client = login(staff["service"])

    with django_assert_max_num_queries(15):
        response = client.get(reverse(CHANGELIST))

    assert len(response.context["cl"].result_list) == 50
    assert changelist_queries() == few


def test_changelist_search_by_sku_and_supplier(staff, creator, suppliers, products):
    first = make_order(creator, suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-2"}])
    other = make_order(creator, SupplierFactory(name="另一家"), suppliers["accuser"])
    client = login(staff["chief"])

    by_sku = client.get(reverse(CHANGELIST), {"q": "SKU-2"}).context["cl"].result_list
    by_supplier = client.get(reverse(CHANGELIST), {"q": "另一家"}).context["cl"].result_list

    assert list(by_sku) == [first]
    assert list(by_supplier) == [other]


def test_changelist_overdue_filter(staff, creator, suppliers):
    late = make_order(creator, suppliers["customer"], suppliers["accuser"])
    make_order(creator, suppliers["customer"], suppliers["accuser"])
    services.orders_mark_overdue(now=timezone.now() + timedelta(hours=1), sla_hours=0)
    Order.objects.exclude(pk=late.pk).update(workflow_status=WorkflowStatus.IN_PROGRESS, step_started_at=timezone.now())
    client = login(staff["service"])

    overdue = client.get(reverse(CHANGELIST), {"overdue": "yes"}).context["cl"].result_list

    assert list(overdue) == [late]


def test_changelist_hides_soft_deleted_orders_unless_asked_and_marks_them(staff, order):
    services.order_delete(user=staff["service"], order_id=order.pk)
    client = login(staff["service"])

    default = client.get(reverse(CHANGELIST))
    listing = client.get(reverse(CHANGELIST), {"deleted": "only"})
    everything = client.get(reverse(CHANGELIST), {"deleted": "all"})
    page = client.get(change_url(order))

    assert list(default.context["cl"].result_list) == []
    assert list(listing.context["cl"].result_list) == [order]
    assert list(everything.context["cl"].result_list) == [order]
    assert "（已删除）" in listing.text
    assert page.status_code == 200
    assert button("done") not in page.text
    assert not page.context["has_change_permission"]


# --- Actions: CSV export and resume ---------------------------------------------------------------
def test_export_action_writes_csv_with_bom_for_selected_orders(staff, order, creator, suppliers):
    make_order(creator, suppliers["customer"], suppliers["accuser"])
    client = login(staff["service"])

    response = client.post(reverse(CHANGELIST), {"action": "export_csv", "_selected_action": [order.pk]})

    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert len(rows) == 2
    assert rows[1][0] == order.serial_number
    assert "SKU-1" in rows[1]
    assert "被告工厂" in rows[1]


def test_export_link_follows_changelist_filters(staff, order, creator, suppliers):
    advance(staff, order, Status.SERVICE_APPROVING)
    waiting = make_order(creator, suppliers["customer"], suppliers["accuser"], remark="=HYPERLINK(1)")
    client = login(staff["finance"])

    rows = read_csv(client.get(reverse("admin:orders_order_export"), {"status__exact": "waiting"}))

    assert [row[0] for row in rows[1:]] == [waiting.serial_number]
    assert "'=HYPERLINK(1)" in rows[1]  # no formula injection into Excel


def test_resume_action_resumes_overdue_orders_through_service(staff, order, creator, suppliers):
    fresh = make_order(creator, suppliers["customer"], suppliers["accuser"])
    Order.objects.filter(pk=order.pk).update(step_started_at=timezone.now() - timedelta(days=10))
    services.orders_mark_overdue()
    client = login(staff["service"])

    response = client.post(
        reverse(CHANGELIST), {"action": "resume_overdue", "_selected_action": [order.pk, fresh.pk]}, follow=True
    )

    resumed = Order.objects.get(pk=order.pk)
    assert resumed.workflow_status == WorkflowStatus.IN_PROGRESS
    entry = resumed.journals.order_by("id").last()
    assert (entry.operation, entry.operator) == ("resume", staff["service"])
    assert fresh.journals.count() == 1
    assert sorted(m.level_tag for m in response.context["messages"]) == ["success", "warning"]


# --- Option lists, master data autocomplete, permissions -------------------------------------------
def test_option_values_reordered_and_retired_in_changelist_by_manager(staff):
    client = login(staff["manager"])
    url = reverse("admin:orders_optionvalue_changelist")
    listing = client.get(url, {"category__exact": "publishmentrank"})
    formset = listing.context["cl"].formset
    data = {f"form-{key}": value for key, value in formset.management_form.initial.items()}
    for index, form in enumerate(formset.forms):
        value = form.instance
        data[f"form-{index}-id"] = value.pk
        data[f"form-{index}-position"] = 10 - index  # reverse the order
        if value.value != "不处罚":
            data[f"form-{index}-active"] = "on"
    data["_save"] = "Save"

    response = client.post(f"{url}?category__exact=publishmentrank", data)

    assert response.status_code == 302
    assert list(
        OptionValue.objects.filter(category="publishmentrank").order_by("position").values_list("value", "active")
    ) == [
        ("不处罚", False),
        ("处罚", True),
    ]


def test_option_values_read_only_for_service(staff):
    client = login(staff["service"])

    assert client.get(reverse("admin:orders_optionvalue_changelist")).status_code == 200
    assert client.get(reverse("admin:orders_optionvalue_add")).status_code == 403


def test_product_autocomplete_offers_active_products_to_order_lines(staff, products):
    ProductFactory(sku_code="SKU-OLD", item_name="停产沙发", active=False)
    client = login(staff["service"])

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "orders", "model_name": "abnormalproduct", "field_name": "product", "term": "SKU"},
    )

    assert response.status_code == 200
    texts = [item["text"] for item in response.json()["results"]]
    assert any("SKU-1" in text for text in texts)
    assert not any("SKU-OLD" in text for text in texts)
    assert Product.objects.filter(sku_code="SKU-OLD").exists()


def test_supplier_specialist_autocomplete_for_manager(staff):
    client = login(staff["manager"])

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "suppliers", "model_name": "supplier", "field_name": "specialist", "term": "service"},
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["service1"]


@pytest.mark.parametrize(
    ("role", "granted", "withheld"),
    [
        ("service", {"orders.change_order", "orders.add_deduction", "orders.add_track"}, {"orders.change_optionvalue"}),
        ("manager", {"orders.change_order", "orders.change_optionvalue", "auth.view_user"}, {"orders.add_deduction"}),
        ("chief", {"suppliers.change_supplier", "products.change_product"}, {"orders.delete_deduction"}),
        (
            "finance",
            {"orders.change_deduction", "orders.view_journal"},
            {"suppliers.change_supplier", "auth.view_user"},
        ),
    ],
)
def test_role_groups_have_their_admin_permissions(db, role, granted, withheld):
    user = UserFactory(username=f"perm-{role}", roles=[role])
    never = {"orders.delete_order", "orders.add_journal", "orders.change_journal", "orders.delete_journal"}

    assert Group.objects.filter(name=role).exists()
    assert all(user.has_perm(perm) for perm in granted)
    assert not any(user.has_perm(perm) for perm in withheld | never)
