"""Sealed OFD files: every signature of the vectors as ``manifest.json`` says, chains under
anchors, bare signatures with the signer's certificate, and packages that cannot be read."""

from __future__ import annotations

import json

import pytest

import zhengzhao as zz
from conftest import VECTORS

GM = VECTORS / "gm"
USER = GM / "certs" / "ofdrw-test-ca" / "user.cer"


def test_each_vector_signature_is_judged_as_the_manifest_says():
    manifest = json.loads((GM / "ofd" / "manifest.json").read_text("utf-8"))
    for entry in manifest["files"]:
        report = zz.verify_ofd(GM / entry["file"], certificates=USER.read_bytes())
        expected = [s["expected"] == "valid" for s in entry["signatures"]]
        assert [s["code"] is None for s in report["signatures"]] == expected, entry["file"]
        assert [s["id"] for s in report["signatures"]] == [s["id"] for s in entry["signatures"]]
        assert report["valid"] == all(expected)
        for got, want in zip(report["signatures"], entry["signatures"]):
            assert got["changed_entries"] == want["references_failing"], entry["file"]
            assert got["chain_trusted"] is None


def test_a_seal_reports_its_parts():
    report = zz.verify_ofd((GM / "ofd" / "1.ofd").read_bytes())
    (s,) = report["signatures"]
    assert s["format"] == "GB/T 38540 v4"
    assert s["seal"]["name"] == "国家税务总局浙江省税务局"
    assert s["signed_at"] == "2020-07-23T13:09:07Z"
    assert (s["content_intact"], s["signature_valid"], s["seal_valid"], s["within_validity"]) == (True,) * 4


def test_expired_seals_and_foreign_roots(world):
    s = zz.verify_ofd(GM / "ofd" / "SESV4SignDoc.ofd")["signatures"][0]
    assert s["code"] == "ZZ-E-OFD-015" and s["within_validity"] is False and s["signature_valid"] is True
    # Under the test authority's root, a real seal's chain does not hold.
    report = zz.verify_ofd(GM / "ofd" / "1.ofd", anchors=world.authority.root_certificate)
    assert report["signatures"][0]["chain_trusted"] is False
    assert report["code"] == "ZZ-E-TRUST-002"


def test_a_bare_signature_needs_its_signers_certificate():
    path = GM / "ofd" / "DigitalSign.ofd"
    assert zz.verify_ofd(path)["signatures"][0]["code"] == "ZZ-E-OFD-016"
    assert zz.verify_ofd(path, certificates=str(USER))["valid"] is True


def test_packages_that_cannot_be_read_raise_ofd_errors(tmp_path):
    data = (GM / "ofd" / "1.ofd").read_bytes()
    with pytest.raises(zz.OfdError) as e:
        zz.verify_ofd(data[: len(data) // 2])
    assert e.value.code == "ZZ-E-OFD-001" and e.value.number == 3101
    with pytest.raises(zz.IoError):
        zz.verify_ofd(tmp_path / "missing.ofd")
    with pytest.raises(zz.UsageError):
        zz.verify_ofd(42)
    with pytest.raises(zz.UsageError):
        zz.verify_ofd(data, at="yesterday")
    with pytest.raises(zz.TrustError):
        zz.verify_ofd(data, anchors=b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    # A certificate that is not a CA is no anchor.
    with pytest.raises(zz.TrustError):
        zz.verify_ofd(data, anchors=USER.read_bytes())

