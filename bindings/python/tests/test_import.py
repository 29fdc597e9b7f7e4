"""Bulk import from Python: bad rows reported exactly, progress, stopping and re-running,
GB18030 files."""

import csv
import datetime as dt
import io

import pytest

import zhengzhao as zz
from conftest import VECTORS

TYPE = "11100000MB0143028R107"  # 特种设备安全管理和作业人员证
HEADER = ["证书编号", "姓名", "身份证号码", "性别", "发证日期", "有效期至", "作业项目", "发证机关", "批准日期", "照片"]


def mapping(world) -> str:
    """The legacy export's columns (shared with the Rust tests), issued by the world's department."""
    columns = (VECTORS / "import" / "special-equipment.toml").read_text(encoding="utf-8")
    return columns + f'[constants]\nissuer_name = "{world.issuer["name"]}"\nissuer_code = "{world.issuer["code"]}"\n'


def rows(world, n: int) -> list:
    ty = world.catalog[TYPE]
    on = dt.date(2024, 4, 1)
    out = []
    for i in range(n):
        p = world.sampler.person()
        lic = world.sampler.licence(ty, world.issuer, p, "0000000001", on)
        f = lic["fields"]
        until = lic["validity"]["until"].replace("-", "")
        out.append([lic["number"], p["name"], p["code"], f["XB"], "2024年4月1日", until, f["ZYXM"], f["FZJG"], f["PZRQ"], f["ZP"]])
    return out


def to_csv(rs: list) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rs)
    return buf.getvalue()


def test_bad_rows_are_reported_exactly_and_the_rest_issued(world, registry, tmp_path):
    rs = rows(world, 10)
    rs[1] = rs[1][:-1]  # row 3: a missing column
    rs[3][4] = "2024年13月1日"  # row 5: a bad date
    rs[5][2] = rs[5][2][:-1] + ("0" if rs[5][2][-1] != "0" else "1")  # row 7: a bad check digit
    rs[7][3] = "未知"  # row 9: an unknown enum value
    rs[9][0] = rs[8][0]  # row 11: a duplicate number
    path = tmp_path / "legacy.csv"
    path.write_text(to_csv(rs), encoding="utf-8")
    summaries = []
    result = registry.import_records(path, type_code=TYPE, mapping=mapping(world), batch=3, progress=summaries.append)
    assert (result.rows, result.issued, result.present, result.rejected) == (10, 5, 0, 5)
    got = sorted({(e["row"], e["column"], e["rule"]) for e in result.errors})
    assert got == [
        (3, "照片", "missing_column"),
        (5, "发证日期", "date"),
        (7, "身份证号码", "code"),
        (9, "性别", "enum"),
        (11, "证书编号", "duplicate"),
    ]
    assert all(e["code"].startswith("ZZ-E-") and e["message"] for e in result.errors)
    assert len(result.accepted) == 5 and summaries and summaries[-1]["rows"] == 10
    assert "ImportResult(rows=10, issued=5" in repr(result)
    # A re-run issues nothing twice.
    again = registry.import_records(path, type_code=TYPE, mapping=mapping(world))
    assert (again.issued, again.present, again.rejected) == (0, 5, 5)


def test_stopping_and_continuing(world, registry):
    data = to_csv(rows(world, 20)).encode()
    m = mapping(world)
    first = registry.import_records(data, type_code=TYPE, mapping=m, batch=4, progress=lambda s: False)
    # The two batches already handed out when the callback said stop are issued too.
    assert first.interrupted and (first.rows, first.issued) == (12, 12)
    rest = registry.import_records(data, type_code=TYPE, mapping=m, batch=4)
    assert not rest.interrupted and (rest.issued, rest.present) == (8, 12)


def test_a_callback_that_raises_stops_the_import_with_its_exception(world, registry):
    data = to_csv(rows(world, 4)).encode()

    def boom(summary):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        registry.import_records(data, type_code=TYPE, mapping=mapping(world), batch=2, progress=boom)


def test_gb18030_files(world, registry):
    data = to_csv(rows(world, 3)).encode("gb18030")
    r = registry.import_records(data, type_code=TYPE, mapping=mapping(world))
    assert r.issued == 3 and r.rejected == 0
    with pytest.raises(zz.BulkImportError) as e:
        registry.import_records(data, type_code=TYPE, mapping=mapping(world), encoding="utf-8")
    assert e.value.code == "ZZ-E-IMPORT-002" and "utf-8" in e.value.message


def test_import_errors(world, registry, tmp_path):
    with pytest.raises(zz.BulkImportError) as e:
        registry.import_records(b"a,b\n1,2\n", type_code=TYPE, mapping=mapping(world))
    assert e.value.code == "ZZ-E-IMPORT-001"
    with pytest.raises(zz.CatalogError):
        registry.import_records(b"a\n", type_code="11100000MB0143028R999")
    with pytest.raises(zz.IoError):
        registry.import_records(tmp_path / "absent.csv", type_code=TYPE)
    with pytest.raises(zz.UsageError):
        registry.import_records(b"a\n", type_code=TYPE, format="xlsx")
    with pytest.raises(zz.Error):
        registry.import_records(b"a\n", type_code=TYPE, mapping="[columns\n")
