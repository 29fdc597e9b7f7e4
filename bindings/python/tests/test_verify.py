"""Offline verification: documents in every form, tampering, wrong anchors, times, status
lists and bundles."""

import datetime as dt
import json

import pytest

import zhengzhao as zz

CST = dt.timezone(dt.timedelta(hours=8))


def test_a_licence_verifies_as_str_bytes_and_dict(filled, verifier):
    _, business, _, _ = filled
    doc = business.document
    for form in (doc, doc.decode(), json.loads(doc)):
        r = verifier.verify(form)
        assert r.valid and bool(r) and r.code is None and r.kind == "licence"
        assert r.id == business.id
        assert [c.name for c in r.checks] == [
            "document", "identifier", "proof", "certificate", "signature",
            "issuer", "licence_type", "validity", "schema", "status",
        ]
        assert all(c.outcome in ("passed", "skipped") for c in r.checks)
    r.raise_if_invalid()
    d = r.to_dict()
    assert d["valid"] and d["kind"] == "licence" and len(d["checks"]) == 10


def test_a_tampered_document_fails_the_signature(filled, verifier):
    _, business, _, _ = filled
    doc = json.loads(business.document)
    doc["credentialSubject"]["fields"]["MC"] = "另一家公司"
    r = verifier.verify(doc)
    assert not r.valid and r.code == "ZZ-E-SIG-004"
    assert r.check("signature").outcome == "failed"
    assert "invalid" in repr(r)
    with pytest.raises(zz.SignatureError) as e:
        r.raise_if_invalid()
    assert e.value.code == "ZZ-E-SIG-004"


def test_wrong_anchors(filled, world):
    _, business, _, _ = filled
    r = zz.Verifier(world.other_root, certificates=world.signers).verify(business.document)
    assert not r.valid and r.code == "ZZ-E-TRUST-002"
    assert r.check("certificate").code == "ZZ-E-TRUST-002"


def test_anchors_from_a_path_and_bytes(filled, world):
    _, business, _, _ = filled
    path = world.authority.root_certificate_path
    for anchors in (path, str(path), world.authority.root_certificate.encode()):
        assert zz.Verifier(anchors, certificates=world.signers).verify(business.document).valid
    # Without the signing certificate, a lone document cannot be checked.
    r = zz.Verifier(path).verify(business.document)
    assert r.code == "ZZ-E-SIG-005" and r.check("certificate").outcome == "failed"
    with pytest.raises(zz.IoError):
        zz.Verifier(world.base / "no-such.pem")
    with pytest.raises(zz.Error) as e:
        zz.Verifier("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    assert e.value.code.startswith(("ZZ-E-FMT", "ZZ-E-TRUST"))
    with pytest.raises(zz.UsageError):
        zz.Verifier(42)


def test_malformed_documents_are_reported_not_raised(verifier):
    for bad in ("{", "[]", b"\xff\xfe", "{}", '{"a":1,"a":2}'):
        r = verifier.verify(bad)
        assert not r.valid and r.code.startswith("ZZ-E-") and r.check("document").outcome == "failed"


def test_verification_time(filled, verifier, world):
    _, _, _, persons = filled
    doc = persons[0].document
    until = json.loads(doc)["credentialSubject"]["validity"]["until"]
    after = dt.date.fromisoformat(until) + dt.timedelta(days=1)
    assert verifier.verify(doc, at=dt.datetime.now(CST)).valid
    # A date means noon (China Standard Time) that day: tomorrow's, since the test certificates
    # were made today, possibly after noon.
    assert verifier.verify(doc, at=str(world.today + dt.timedelta(days=1))).valid
    r = verifier.verify(doc, at=after)
    assert not r.valid and r.code == "ZZ-E-STATUS-001"
    with pytest.raises(zz.UsageError):
        verifier.verify(doc, at=dt.datetime(2026, 1, 1))  # naive: ambiguous
    with pytest.raises(zz.UsageError):
        verifier.verify(doc, at="yesterday")


def test_verify_many_matches_verify(filled, verifier):
    _, business, food, persons = filled
    docs = [business.document, food.document] + [p.document for p in persons]
    tampered = docs[3].replace(b'"type_version":1', b'"type_version":2')
    reports = verifier.verify_many(docs + [tampered, "{"])
    assert [r.valid for r in reports] == [True] * len(docs) + [False, False]
    assert [r.id for r in reports[: len(docs)]] == [json.loads(d)["credentialSubject"]["id"] for d in docs]
    assert reports[-2].code == verifier.verify(tampered).code
    assert verifier.verify_many([]) == []


def test_interchange_forms(filled, verifier):
    reg, business, _, _ = filled
    jwt = reg.export(business.id, "vc-jwt")
    qr = reg.export(business.id, "qr")
    assert qr.startswith("ZZ1:") and jwt.count(".") == 2
    assert verifier.verify(jwt).kind == "vc-jwt" and verifier.verify(jwt).valid
    assert verifier.verify(qr).kind == "qr" and verifier.verify(qr).valid
    bad = verifier.verify("ZZ1:!!")
    assert not bad.valid and bad.code == "ZZ-E-FMT-010"
    flat = reg.export(business.id, "gbt36903")
    r = verifier.verify(flat)
    assert r.kind == "gbt36903" and not r.valid and r.code == "ZZ-E-USAGE-001"
    assert reg.export(business.id) == business.document.decode()
    with pytest.raises(zz.UsageError):
        reg.export(business.id, "pdf")


def test_status_lists_and_bundles(filled, world, verifier):
    reg, business, food, _ = filled
    bundle = reg.bundle([business.id, food.id])
    report = verifier.verify_bundle(bundle)
    assert report.valid and len(report.licences) == 2 and report.status_lists
    assert all(l["valid"] for l in report.status_lists)
    same = verifier.verify(bundle)
    assert isinstance(same, zz.BundleReport) and same.valid
    assert not zz.Verifier(world.other_root).verify_bundle(bundle).valid
    with pytest.raises(zz.FormatError):
        verifier.verify_bundle(b'{"type": "nothing"}')
    status_list = reg.status_list(world.issuer["code"])
    assert verifier.verify(business.document, status_lists=[status_list]).valid


def test_revocation_shows_in_a_status_list(world, registry, verifier):
    holder = world.sampler.organisation()
    issued = registry.issue(world.licence("11100000MB0143028R001", holder, "2025900001"), operator="发证员")
    registry.revoke(issued.id, operator="执法员", reason="吊销营业执照")
    lists = [registry.status_list(world.issuer["code"])]
    r = verifier.verify(issued.document, status_lists=lists)
    assert not r.valid and r.code.startswith("ZZ-E-STATUS")
    assert verifier.verify(issued.document).valid  # without a status list, nothing says so
    report = verifier.verify_bundle(registry.bundle([issued.id]))
    assert not report.valid and not report.licences[0].valid


def test_added_certificates(filled, world):
    _, business, _, _ = filled
    v = zz.Verifier(world.authority.root_certificate)
    assert not v.verify(business.document).valid
    v.add_certificates(world.signers)
    assert v.verify(business.document).valid
    assert "1 root" in repr(v)
