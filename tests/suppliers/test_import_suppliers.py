"""`manage.py import_suppliers`: upsert by name, specialists by username, yes/no spellings, all or nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from suppliers.models import Supplier
from tests.factories import SupplierFactory, UserFactory

HEADER = "name,role,specialist,is_logistic\n"


def write_csv(tmp_path: Path, text: str, *, bom: bool = False) -> str:
    path = tmp_path / "suppliers.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


def run_import(source: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_suppliers", source, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing_import(source: str) -> tuple[str, str]:
    """The CommandError's message and what was written to stderr before it."""
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_suppliers", source, stdout=io.StringIO(), stderr=err)
    return str(excinfo.value), err.getvalue()


def suppliers_table() -> dict[str, tuple[str, str | None, bool, bool]]:
    return {
        s.name: (s.role, s.specialist.username if s.specialist else None, s.is_logistic, s.active)
        for s in Supplier.objects.select_related("specialist")
    }


@pytest.fixture
def specialist(db):
    return UserFactory(username="service1", first_name="李四")


def test_import_good_file_creates_rows_and_reports_counts(specialist, tmp_path):
    path = write_csv(tmp_path, HEADER + "被告工厂,成品商,service1,0\n顺丰物流,物流商,,是\n原告材料厂,材料商,,\n")

    out, err = run_import(path)

    assert out.strip() == "suppliers: 3 created, 0 updated"
    assert err == ""
    assert suppliers_table() == {
        "被告工厂": ("成品商", "service1", False, True),
        "顺丰物流": ("物流商", None, True, True),
        "原告材料厂": ("材料商", None, False, True),
    }


def test_import_existing_name_updates_row_reactivates_and_reports_updated(specialist, tmp_path):
    other = UserFactory(username="service2")
    old = SupplierFactory(name="被告工厂", role="材料商", specialist=other, is_logistic=True, active=False)
    cleared = SupplierFactory(name="原告材料厂", specialist=other)
    untouched = SupplierFactory(name="不在文件里", specialist=other)
    path = write_csv(tmp_path, HEADER + "被告工厂,成品商,service1,false\n原告材料厂,材料商,,0\n新工厂,成品商,,0\n")

    out, _ = run_import(path)

    assert out.strip() == "suppliers: 1 created, 2 updated"
    table = suppliers_table()
    assert table["被告工厂"] == ("成品商", "service1", False, True)
    # An empty specialist cell is a value: the supplier no longer has one.
    assert table["原告材料厂"] == ("材料商", None, False, True)
    assert table["新工厂"] == ("成品商", None, False, True)
    assert table["不在文件里"] == ("成品商", "service2", False, True)
    assert Supplier.objects.get(name="被告工厂").pk == old.pk
    assert Supplier.objects.get(name="原告材料厂").pk == cleared.pk
    assert Supplier.objects.get(pk=untouched.pk).specialist == other


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("是", True),
        (" 1 ", True),
        ("0", False),
        ("false", False),
        ("FALSE", False),
        ("否", False),
        ("", False),
    ],
)
def test_import_is_logistic_spelling_is_read_as_boolean(db, tmp_path, cell, expected):
    path = write_csv(tmp_path, HEADER + f"顺丰物流,物流商,,{cell}\n")

    run_import(path)

    assert Supplier.objects.get(name="顺丰物流").is_logistic is expected


@pytest.mark.parametrize("cell", ["yes", "2", "y", "真", "-1"])
def test_import_is_logistic_unknown_spelling_imports_nothing_and_names_line(db, tmp_path, cell):
    path = write_csv(tmp_path, HEADER + "被告工厂,成品商,,1\n" + f"顺丰物流,物流商,,{cell}\n")

    _, err = run_failing_import(path)

    assert err.strip() == f"line 3: is_logistic {cell!r} is not one of 0/1, true/false, 是/否"
    assert not Supplier.objects.exists()


def test_import_unknown_specialist_username_imports_nothing_and_names_line(specialist, tmp_path):
    SupplierFactory(name="被告工厂", role="材料商")
    before = suppliers_table()
    path = write_csv(tmp_path, HEADER + "被告工厂,成品商,service1,0\n新工厂,成品商,nobody,0\n")

    message, err = run_failing_import(path)

    assert "nothing imported" in message
    assert err.strip() == "line 3: specialist 'nobody' is not an active user"
    assert suppliers_table() == before


def test_import_inactive_specialist_imports_nothing(db, tmp_path):
    UserFactory(username="left", is_active=False)
    path = write_csv(tmp_path, HEADER + "被告工厂,成品商,left,0\n")

    _, err = run_failing_import(path)

    assert err.strip() == "line 2: specialist 'left' is not an active user"
    assert not Supplier.objects.exists()


def test_import_specialist_by_full_name_is_not_a_username_and_is_rejected(specialist, tmp_path):
    path = write_csv(tmp_path, HEADER + "被告工厂,成品商,李四,0\n")

    _, err = run_failing_import(path)

    assert err.strip() == "line 2: specialist '李四' is not an active user"


def test_import_row_with_several_problems_lists_them_on_its_line(db, tmp_path):
    path = write_csv(tmp_path, HEADER + "好工厂,成品商,,0\n,成品商,ghost,maybe\n")

    _, err = run_failing_import(path)

    assert err.strip() == (
        "line 3: name is empty; specialist 'ghost' is not an active user; "
        "is_logistic 'maybe' is not one of 0/1, true/false, 是/否"
    )
    assert not Supplier.objects.exists()


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (f"{'厂' * 101},成品商,,0", "name is longer than 100 characters (101)"),
        (f"被告工厂,{'商' * 51},,0", "role is longer than 50 characters (51)"),
        ("被告\x00工厂,成品商,,0", "name contains a NUL byte"),
        ("好工厂,成品商,,0", "duplicate name '好工厂' (first on line 2)"),
        ("被告工厂,成品商", "2 fields, expected 4"),
    ],
)
def test_import_invalid_row_imports_nothing_and_says_why(db, tmp_path, row, why):
    path = write_csv(tmp_path, HEADER + "好工厂,成品商,,0\n" + row + "\n")

    _, err = run_failing_import(path)

    assert err.strip() == f"line 3: {why}"
    assert not Supplier.objects.exists()


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("name,role,specialist\n", "missing column(s) is_logistic"),
        ("name,role,specialist,is_logistic,phone\n", "unexpected column(s) 'phone'"),
        ("供应商,类别,专员,物流\n", "missing column(s) name, role, specialist, is_logistic"),
    ],
)
def test_import_bad_header_imports_nothing_and_names_line_1(db, tmp_path, header, why):
    path = write_csv(tmp_path, header + "被告工厂,成品商,,0\n")

    message, _ = run_failing_import(path)

    assert message.startswith(f"line 1: {why}")
    assert not Supplier.objects.exists()


def test_import_file_with_bom_reads_first_column_name(specialist, tmp_path):
    path = write_csv(tmp_path, HEADER + "被告工厂,成品商,service1,是\n", bom=True)

    out, _ = run_import(path)

    assert out.strip() == "suppliers: 1 created, 0 updated"
    assert suppliers_table() == {"被告工厂": ("成品商", "service1", True, True)}
