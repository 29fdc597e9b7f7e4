import pytest

import zhengzhao as zz

from conftest import BUSINESS, PROPERTY


def test_the_builtin_catalogue_has_the_common_types():
    c = zz.Catalog()
    assert len(c) >= 222 and len(list(c)) == len(c) == len(c.types())
    t = c[BUSINESS]
    assert (t.name, t.version, t.holder) == ("营业执照", 1, "organisation")
    assert BUSINESS in c and "11100000MB0143028R999" not in c
    assert repr(t) == f"LicenceType('{BUSINESS}', '营业执照', version=1)"


def test_field_schema():
    t = zz.Catalog()[BUSINESS]
    codes = [f["code"] for f in t.fields]
    assert "TYSHXYDM" in codes and "MC" in codes
    assert all({"code", "name", "kind", "required"} <= set(f) for f in t.fields)
    d = t.to_dict()
    assert d["code"] == BUSINESS and d["fields"] == t.fields
    assert t.authority["code"] == BUSINESS[:18]
    assert zz.Catalog()[PROPERTY].consent


def test_unknown_type():
    c = zz.Catalog()
    with pytest.raises(zz.CatalogError) as e:
        c["11100000MB0143028R999"]
    assert e.value.code == "ZZ-E-CAT-001"
    assert c.get("11100000MB0143028R999") is None
    assert c.get("11100000MB0143028R999", "x") == "x"
    with pytest.raises(zz.CatalogError):
        c.version(BUSINESS, 99)


def test_search_by_name():
    found = zz.Catalog().search("食品")
    assert found and all("食品" in t.name or "食品" in t.sector or any("食品" in r for r in t.replaces) for t in found)
    assert zz.Catalog().search("没有这种证照") == []


def test_types_are_equal_by_definition():
    a, b = zz.Catalog()[BUSINESS], zz.Catalog()[BUSINESS]
    assert a == b and hash(a) == hash(b) and a != zz.Catalog()[PROPERTY]
