import pytest

import zhengzhao as zz

GOOD = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"


def test_parse_reads_every_segment():
    i = zz.Identifier.parse(GOOD)
    assert (i.type_code, i.issuer, i.serial, i.version, i.check) == (
        "11100000000013338W032",
        "11220000013544541J",
        "2430599",
        1,
        "F",
    )
    assert str(i) == GOOD and repr(i) == f"Identifier('{GOOD}')"
    assert i.warnings == []


def test_equality_and_hash_follow_the_text():
    a, b = zz.Identifier.parse(GOOD), zz.Identifier.parse(" " + GOOD + "\n")
    assert a == b and a == GOOD and hash(a) == hash(b)
    assert a != a.with_version(2) and a != 5
    assert len({a, b}) == 1


def test_wrong_check_character_is_named():
    bad = GOOD[:-1] + "X"
    with pytest.raises(zz.IdentifierError) as e:
        zz.Identifier.parse(bad)
    assert (e.value.code, e.value.number) == ("ZZ-E-ID-006", 1006)
    assert e.value.hint and "ZZ-E-ID-006" in str(e.value)
    assert isinstance(e.value, zz.Error)
    assert not zz.Identifier.is_valid(bad) and zz.Identifier.is_valid(GOOD)


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "ZZ-E-ID-001"),
        ("1.2.156.3005.2.X.Y", "ZZ-E-ID-001"),
        ("1.2.156.3005.2.1110000000001333XW32.11220000013544541J.2430599.001.F", "ZZ-E-ID-002"),
        ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.000.F", "ZZ-E-ID-005"),
    ],
)
def test_malformed_identifiers(text, code):
    with pytest.raises(zz.IdentifierError) as e:
        zz.Identifier.parse(text)
    assert e.value.code == code


def test_new_computes_the_check_character():
    i = zz.Identifier.new("11100000000013338W011", "11430000006122244L", "20230000403")
    assert str(i) == "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
    assert i.with_version(2).version == 2
    with pytest.raises(zz.Error):
        zz.Identifier.new("11100000000013338W011", "11430000006122244L", "2023", version=1)
    with pytest.raises(zz.IdentifierError):
        zz.Identifier.new("11100000000013338W011", "11430000006122244L", "20230000403", version=1000)


def test_lenient_accepts_legacy_issuer_codes_with_a_warning():
    # A 行政区划代码 as issuer code: legacy (存量) identifiers have them.
    legacy = zz.Identifier.new("11100000000013338W011", "11430000006122244L", "20230000403")
    text = str(legacy).split(".")
    text[6] = "330106"
    body = ".".join(text[:-1])
    # The check character must still match: find it by trying the alphabet.
    for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if zz.Identifier.is_valid(f"{body}.{c}", lenient=True):
            break
    else:
        pytest.fail("no check character makes the legacy identifier valid")
    i = zz.Identifier.parse(f"{body}.{c}", lenient=True)
    assert i.issuer == "330106" and i.warnings
    with pytest.raises(zz.Error):
        zz.Identifier.parse(f"{body}.{c}")
