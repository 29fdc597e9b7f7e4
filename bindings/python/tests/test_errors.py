import zhengzhao as zz
from zhengzhao import errors


def test_every_family_has_its_exception_class():
    codes = zz.error_codes()
    assert len(codes) > 50
    families = {family for _, _, family, _, _ in codes}
    assert families <= set(errors._FAMILIES)
    for cls in errors._FAMILIES.values():
        assert issubclass(cls, zz.Error) and cls.__doc__
        assert getattr(zz, cls.__name__) is cls


def test_codes_are_unique_and_shared_with_rust_and_c():
    codes = zz.error_codes()
    assert len({c[0] for c in codes}) == len(codes)
    assert len({c[1] for c in codes}) == len(codes)
    by_name = {c[0]: c for c in codes}
    # Published codes: the same numbers as the C statuses.
    assert by_name["ZZ-E-ID-006"][1] == 1006
    assert by_name["ZZ-E-SCHEMA-001"][1:3] == (1301, "schema")
    assert all(c[3] and c[4] for c in codes)


def test_an_error_carries_code_number_message_and_hint():
    e = zz.UsageError("ZZ-E-USAGE-001", "bad", 1501, "read the docs")
    assert (e.code, e.number, e.message, e.hint) == ("ZZ-E-USAGE-001", 1501, "bad", "read the docs")
    assert str(e) == "ZZ-E-USAGE-001: bad"
    assert repr(e) == "UsageError('ZZ-E-USAGE-001', 'bad')"
