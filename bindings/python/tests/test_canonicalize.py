"""RFC 8785: the vectors of test-vectors/rfc8785, and agreement byte for byte with the
independent `rfc8785` package on generated JSON."""

import json
import math
import struct

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

import zhengzhao as zz

from conftest import VECTORS

CASES = sorted(p.name for p in (VECTORS / "rfc8785" / "input").glob("*.json"))


@pytest.mark.parametrize("name", CASES)
def test_rfc8785_vectors(name):
    given_ = (VECTORS / "rfc8785" / "input" / name).read_bytes()
    want = (VECTORS / "rfc8785" / "output" / name).read_bytes()
    assert zz.canonicalize(given_) == want
    assert zz.canonicalize(given_.decode()) == want


def test_dicts_lists_str_and_bytes_agree():
    doc = {"b": [1, 2.5, "三"], "a": {"z": None, "é": True}}
    want = b'{"a":{"z":null,"\xc3\xa9":true},"b":[1,2.5,"\xe4\xb8\x89"]}'
    assert zz.canonicalize(doc) == want
    assert zz.canonicalize(json.dumps(doc)) == want
    assert zz.canonicalize(json.dumps(doc).encode()) == want
    assert zz.canonicalize(bytearray(json.dumps(doc).encode())) == want


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}',  # duplicate keys
        '{"a":"\\ud800"}',  # a lone surrogate
        '{"a":1e400}',  # not a finite double
        '{"a":',  # truncated
    ],
)
def test_what_jcs_cannot_represent_is_refused(text):
    with pytest.raises(zz.FormatError) as e:
        zz.canonicalize(text)
    assert e.value.code in ("ZZ-E-FMT-001", "ZZ-E-FMT-002")


def test_wrong_argument_types():
    with pytest.raises(zz.UsageError):
        zz.canonicalize(42)
    with pytest.raises(zz.FormatError):
        zz.canonicalize({"a": float("nan")})


def _doubles_near_the_edges():
    specials = [
        5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e21, 1e-7, 9007199254740992.0,
        9007199254740993.0, 0.1, 1 / 3, -0.0, 123456789012345680000.0, 4.35, 333333333.3333332,
        562949953421312.2,  # two shortest forms equally near: the even one (found by hypothesis)
    ]
    bits = st.integers(0, 2**64 - 1).map(lambda b: struct.unpack("<d", struct.pack("<Q", b))[0])
    return st.one_of(st.sampled_from(specials), bits.filter(math.isfinite), st.floats(allow_nan=False, allow_infinity=False))


keys = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["\U0001f600", "\U00010000", "\ufb33", "a", "A", "é", "\u20ac", "\r\n", "\x00"]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    _doubles_near_the_edges(),
    st.text(),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)
# A document is an object or an array (a str argument is JSON text, not a JSON string).
documents = st.one_of(st.dictionaries(keys, values, max_size=6), st.lists(values, max_size=6))


@settings(max_examples=400, deadline=None)
@given(documents)
def test_agrees_with_the_rfc8785_package(doc):
    assert zz.canonicalize(doc) == rfc8785.dumps(doc)
