"""国密: an authority whose root and signing certificates are SM2, licences signed with
``sm2-jcs-2024``, verified singly and in batches (single verifications: SM2 has no batch
equation), tampering refused."""

from __future__ import annotations

import json

import zhengzhao as zz


def test_an_all_sm2_authority_issues_licences_that_verify(world, tmp_path):
    gm = zz.Authority.init(
        tmp_path / "gm-ca",
        root_name="浙江省电子证照SM2根CA（测试）",
        issuer_name=world.issuer["name"],
        issuer_code=world.issuer["code"],
        algorithm="sm2",
    )
    with zz.Registry.create(tmp_path / "reg", authority=gm.path, sync="os-buffered") as reg:
        issued = [
            reg.issue(world.licence(world.person_type.code, p, f"20260{i:05}"), operator="发证员")
            for i, p in enumerate(world.persons[:3])
        ]
    documents = [i.document for i in issued]
    assert all(json.loads(d)["proof"]["cryptosuite"] == "sm2-jcs-2024" for d in documents)
    assert [s["algorithm"] for s in gm.signers()] == ["SM2"]
    assert {s["algorithm"] for s in world.authority.signers()} == {"Ed25519"}
    signers = "".join(s["certificate"] for s in gm.signers())
    verifier = zz.Verifier(gm.root_certificate, certificates=signers)
    assert all(r.valid for r in verifier.verify_many(documents))
    tampered = documents[0].replace(b'"type_version":1', b'"type_version":2')
    assert verifier.verify(tampered).code == "ZZ-E-SIG-004"
    # Under the Ed25519 root of the test authority, the SM2 signing certificate does not chain.
    assert zz.Verifier(world.authority.root_certificate, certificates=signers).verify(documents[0]).code == "ZZ-E-TRUST-002"
