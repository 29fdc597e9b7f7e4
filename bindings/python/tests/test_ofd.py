"""Sealed OFD files: every signature of the vectors as ``manifest.json`` says, chains under
anchors, bare signatures with the signer's certificate, and packages that cannot be read."""

from __future__ import annotations

import datetime as dt
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



SEALED = VECTORS / "licences" / "sealed-licence.ofd"
SEALED_ID = "1.2.156.3005.2.11100000MB0143028R001.11330110JYW46KJ7BA.2025000001.001.R"
ROOT = GM / "certs" / "generated" / "root.pem"
SIGNER = GM / "certs" / "generated" / "ee.pem"


def test_an_imported_ofd_licence_is_served_as_the_file(registry, world):
    got = registry.import_ofd(SEALED, anchors=ROOT, certificates=SIGNER, operator="王科员")
    assert (got["id"], got["imported"], got["supplied"]) == (SEALED_ID, True, [])
    assert got["report"]["signatures"][0]["chain_trusted"] is True
    again = registry.import_ofd(SEALED.read_bytes(), anchors=ROOT, certificates=SIGNER, operator="王科员")
    assert (again["imported"], again["seq"]) == (False, None)

    registry.grant(world.org, "11100000MB0143028R001", until=world.today + dt.timedelta(days=30), operator="管理员")
    (answer,) = registry.lookup({
        "holder_code_type": "001", "holder_code": "91330106CT4KKYNAF9",
        "types": ["11100000MB0143028R001"],
        "context": {"org": world.org, "operator": "窗口01", "item": "330106-BIZ-01",
                    "case": "2026-000001", "reason": "核验营业执照"},
    })
    assert answer.granted and answer.format == "ofd" and answer.id == SEALED_ID
    assert answer.document == SEALED.read_bytes()
    assert registry.export(SEALED_ID, "ofd") == SEALED.read_bytes()
    assert json.loads(registry.export(SEALED_ID, "gbt36903"))["CZZTDM"] == "91330106CT4KKYNAF9"
    with pytest.raises(zz.LifecycleError) as e:
        registry.export(SEALED_ID, "vc")
    assert e.value.code == "ZZ-E-LIFE-007"


def test_importing_needs_anchors_said_and_refuses_what_does_not_hold(registry):
    with pytest.raises(TypeError):
        registry.import_ofd(SEALED, certificates=SIGNER, operator="王科员")
    with pytest.raises(zz.OfdError) as e:
        registry.import_ofd(GM / "ofd" / "testImageNotFound.ofd", anchors=None, operator="王科员")
    assert e.value.code == "ZZ-E-OFD-019" and "ZZBS" in e.value.message
    with pytest.raises(zz.OfdError) as e:
        registry.import_ofd(SEALED, anchors=None, certificates=SIGNER, fields={"证照编号": "X-1"}, operator="王科员")
    assert e.value.code == "ZZ-E-OFD-020"
    with pytest.raises(zz.OfdError) as e:
        registry.import_ofd(SEALED, anchors=None, operator="王科员")
    assert e.value.code == "ZZ-E-OFD-016"
    assert registry.log_size == 0
