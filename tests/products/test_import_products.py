"""`manage.py import_products`: upsert by sku_code, all or nothing, line numbers for bad rows."""

import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from products.models import Product
from tests.factories import ProductFactory

HEADER = "sku_code,item_name,item_code,sku_name,img_path\n"


def write_csv(tmp_path: Path, text: str, *, bom: bool = False, encoding: str = "utf-8") -> str:
    path = tmp_path / "products.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return str(path)


def run_import(source: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_products", source, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing_import(source: str) -> tuple[str, str]:
    """The CommandError's message and what was written to stderr before it."""
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_products", source, stdout=io.StringIO(), stderr=err)
    return str(excinfo.value), err.getvalue()


def catalogue() -> dict[str, tuple[str, str, str, str, bool]]:
    return {p.sku_code: (p.item_name, p.item_code, p.sku_name, p.img_path, p.active) for p in Product.objects.all()}


def test_import_good_file_creates_rows_and_reports_counts(db, tmp_path):
    path = write_csv(tmp_path, HEADER + "SKU-1,沙发,IC1,三人位,/img/1.png\nSKU-2,椅子,,,\n")

    out, err = run_import(path)

    assert out.strip() == "products: 2 created, 0 updated"
    assert err == ""
    assert catalogue() == {
        "SKU-1": ("沙发", "IC1", "三人位", "/img/1.png", True),
        "SKU-2": ("椅子", "", "", "", True),
    }


def test_import_existing_sku_updates_row_reactivates_and_reports_updated(db, tmp_path):
    old = ProductFactory(sku_code="SKU-1", item_name="旧名", item_code="OLD", active=False)
    untouched = ProductFactory(sku_code="SKU-9", item_name="不在文件里")
    path = write_csv(tmp_path, HEADER + "SKU-1,新名,NEW,新规格,/img/new.png\nSKU-2,椅子,,,\n")

    out, _ = run_import(path)

    assert out.strip() == "products: 1 created, 1 updated"
    old_after = Product.objects.get(sku_code="SKU-1")
    assert old_after.pk == old.pk
    assert (old_after.item_name, old_after.item_code, old_after.sku_name, old_after.img_path) == (
        "新名",
        "NEW",
        "新规格",
        "/img/new.png",
    )
    assert old_after.active is True
    assert old_after.created_at == old.created_at
    assert old_after.updated_at > old.updated_at
    assert Product.objects.get(pk=untouched.pk).item_name == "不在文件里"


def test_import_same_file_twice_second_run_reports_all_updated(db, tmp_path):
    path = write_csv(tmp_path, HEADER + "SKU-1,沙发,,,\nSKU-2,椅子,,,\n")
    run_import(path)

    out, _ = run_import(path)

    assert out.strip() == "products: 0 created, 2 updated"
    assert Product.objects.count() == 2


def test_import_one_bad_row_among_good_imports_nothing_and_names_line(db, tmp_path):
    ProductFactory(sku_code="SKU-1", item_name="旧名")
    before = catalogue()
    path = write_csv(tmp_path, HEADER + "SKU-1,新名,,,\nSKU-2,椅子,,,\n,没有编码,,,\nSKU-4,桌子,,,\n")

    message, err = run_failing_import(path)

    assert "nothing imported" in message
    assert err.strip() == "line 4: sku_code is empty"
    assert catalogue() == before


def test_import_several_bad_rows_reports_each_line(db, tmp_path):
    path = write_csv(tmp_path, HEADER + "SKU-1,,,,\nSKU-2,椅子,,,\nSKU-3,桌子,,\n")

    message, err = run_failing_import(path)

    assert message.startswith("2 bad row(s)")
    assert err.splitlines() == ["line 2: item_name is empty", "line 4: 4 fields, expected 5"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (",沙发,,,", "sku_code is empty"),
        ("SKU-1,,,,", "item_name is empty"),
        (f"{'S' * 65},沙发,,,", "sku_code is longer than 64 characters (65)"),
        (f"SKU-1,{'名' * 201},,,", "item_name is longer than 200 characters (201)"),
        (f"SKU-1,沙发,,,{'p' * 501}", "img_path is longer than 500 characters (501)"),
        ("SKU-1,沙\x00发,,,", "item_name contains a NUL byte"),
        ("SKU-1,沙发,,,,extra", "6 fields, expected 5"),
        ("SKU-1,沙发", "2 fields, expected 5"),
    ],
)
def test_import_invalid_row_imports_nothing_and_says_why(db, tmp_path, row, why):
    path = write_csv(tmp_path, HEADER + "SKU-0,好的,,,\n" + row + "\n")

    _, err = run_failing_import(path)

    assert err.strip() == f"line 3: {why}"
    assert not Product.objects.exists()


def test_import_duplicate_sku_in_file_imports_nothing_and_names_both_lines(db, tmp_path):
    path = write_csv(tmp_path, HEADER + "SKU-1,沙发,,,\nSKU-2,椅子,,,\nSKU-1,又一个沙发,,,\n")

    _, err = run_failing_import(path)

    assert err.strip() == "line 4: duplicate sku_code 'SKU-1' (first on line 2)"
    assert not Product.objects.exists()


def test_import_row_after_multiline_quoted_field_names_its_starting_line(db, tmp_path):
    path = write_csv(tmp_path, HEADER + 'SKU-1,"两行\n的名字",,,\n,沙发,,,\n')

    _, err = run_failing_import(path)

    assert err.strip() == "line 4: sku_code is empty"


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("sku_code,item_name,item_code,sku_name\n", "missing column(s) img_path"),
        ("sku_code,item_name,item_code,sku_name,img_path,price\n", "unexpected column(s) 'price'"),
        ("sku_code,item_name,item_code,sku_name,img_path,sku_code\n", "repeated column(s) sku_code"),
        ("SKU-1,沙发,IC1,三人位,/img/1.png\n", "missing column(s) sku_code, item_name"),
    ],
)
def test_import_bad_header_imports_nothing_and_names_line_1(db, tmp_path, header, why):
    path = write_csv(tmp_path, header + "SKU-2,椅子,,,\n")

    message, _ = run_failing_import(path)

    assert message.startswith(f"line 1: {why}")
    assert not Product.objects.exists()


def test_import_empty_file_fails_asking_for_header(db, tmp_path):
    message, _ = run_failing_import(write_csv(tmp_path, ""))

    assert "header row is required" in message


def test_import_header_only_reports_zero_counts(db, tmp_path):
    out, _ = run_import(write_csv(tmp_path, HEADER))

    assert out.strip() == "products: 0 created, 0 updated"


def test_import_columns_in_other_order_maps_by_header(db, tmp_path):
    path = write_csv(tmp_path, "item_name, sku_code ,img_path,sku_name,item_code\n沙发,SKU-1,/i.png,三人位,IC1\n")

    run_import(path)

    assert catalogue() == {"SKU-1": ("沙发", "IC1", "三人位", "/i.png", True)}


def test_import_file_with_bom_reads_first_column_name(db, tmp_path):
    path = write_csv(tmp_path, HEADER + "SKU-1,沙发,,,\n", bom=True)

    out, _ = run_import(path)

    assert out.strip() == "products: 1 created, 0 updated"
    assert list(Product.objects.values_list("sku_code", flat=True)) == ["SKU-1"]


def test_import_crlf_and_padded_cells_strips_whitespace(db, tmp_path):
    path = write_csv(tmp_path, HEADER.replace("\n", "\r\n") + " SKU-1 , 沙发 ,,,\r\n\r\n")

    run_import(path)

    assert catalogue() == {"SKU-1": ("沙发", "", "", "", True)}


def test_import_non_utf8_file_imports_nothing_and_names_line(db, tmp_path):
    path = write_csv(tmp_path, HEADER + "SKU-1,chair,,,\nSKU-2,沙发,,,\n", encoding="gbk")

    message, _ = run_failing_import(path)

    assert "line 3: not valid UTF-8" in message
    assert not Product.objects.exists()


def test_import_missing_file_fails_without_traceback(db, tmp_path):
    message, _ = run_failing_import(str(tmp_path / "nope.csv"))

    assert message.startswith("cannot read")


def test_import_dash_reads_stdin_with_bom(db, monkeypatch):
    data = b"\xef\xbb\xbf" + (HEADER + "SKU-1,沙发,,,\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    out, _ = run_import("-")

    assert out.strip() == "products: 1 created, 0 updated"
    assert catalogue() == {"SKU-1": ("沙发", "", "", "", True)}


def test_import_many_rows_uses_batches_and_bounded_queries(db, tmp_path, django_assert_max_num_queries):
    ProductFactory(sku_code="SKU-00000", item_name="旧名")
    rows = "".join(f"SKU-{i:05d},产品{i},IC{i},规格{i},\n" for i in range(3000))
    path = write_csv(tmp_path, HEADER + rows)

    # One read of the existing codes plus the inserts (SQLite: ~125 rows per statement).
    with django_assert_max_num_queries(40):
        out, _ = run_import(path)

    assert out.strip() == "products: 2999 created, 1 updated"
    assert Product.objects.count() == 3000
    assert Product.objects.get(sku_code="SKU-00000").item_name == "产品0"
