"""Cross-checks with independent implementations from the Python package index:
`cryptography` (Ed25519, P-256, X.509), `rfc8785` (JCS) and PyJWT."""

import copy
import hashlib
import json

import jwt
import pytest
import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

import zhengzhao as zz

from conftest import BUSINESS

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(s: str) -> bytes:
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\x00" * (len(s) - len(s.lstrip("1"))) + raw


def b58encode(b: bytes) -> str:
    n = int.from_bytes(b, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\x00"))) + out


def hash_data(doc: dict) -> bytes:
    """SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document without proof)), computed here with
    the rfc8785 package (the Data Integrity JCS suites)."""
    proof = dict(doc["proof"])
    proof.pop("proofValue", None)
    body = {k: v for k, v in doc.items() if k != "proof"}
    return hashlib.sha256(rfc8785.dumps(proof)).digest() + hashlib.sha256(rfc8785.dumps(body)).digest()


@pytest.fixture(scope="module", params=["ed25519", "p256"])
def signed(request, world, tmp_path_factory):
    """A registry whose department signs with `algorithm`, a licence it issued, and the
    certificates as `cryptography` objects."""
    base = tmp_path_factory.mktemp(request.param)
    authority = zz.Authority.init(
        base / "authority",
        root_name=f"根CA {request.param}",
        issuer_name=world.issuer["name"],
        issuer_code=world.issuer["code"],
        algorithm=request.param,
    )
    reg = zz.Registry.create(base / "reg", authority=authority.path, sync="os-buffered")
    issued = reg.issue(world.licence(BUSINESS, world.sampler.organisation(), "2025300001"), operator="发证员")
    root = x509.load_pem_x509_certificate(authority.root_certificate.encode())
    signer_entry = authority.signers()[0]
    signer = x509.load_pem_x509_certificate(signer_entry["certificate"].encode())
    yield request.param, authority, reg, issued, root, signer, signer_entry
    reg.close()


def test_issuing_certificates_chain_to_the_root_in_cryptography(signed, world):
    alg, _, _, _, root, signer, _ = signed
    signer.verify_directly_issued_by(root)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ku = signer.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and not ku.key_cert_sign
    assert world.issuer["code"] in signer.subject.rfc4514_string()
    key = signer.public_key()
    assert isinstance(key, ed25519.Ed25519PublicKey if alg == "ed25519" else ec.EllipticCurvePublicKey)


def test_a_licence_signed_by_zhengzhao_verifies_in_cryptography(signed):
    alg, _, _, issued, _, signer, _ = signed
    doc = json.loads(issued.document)
    proof = doc["proof"]
    assert proof["cryptosuite"] == ("eddsa-jcs-2022" if alg == "ed25519" else "ecdsa-jcs-2019")
    fingerprint = signer.fingerprint(hashes.SHA256()).hex()
    assert proof["verificationMethod"] == f"urn:zz:cert:sha256:{fingerprint}"
    assert proof["proofValue"][0] == "z"
    sig = b58decode(proof["proofValue"][1:])
    assert len(sig) == 64
    data = hash_data(doc)
    key = signer.public_key()
    if alg == "ed25519":
        key.verify(sig, data)
    else:
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    # ... and the independent hash data is what a tampered document no longer matches.
    doc["credentialSubject"]["fields"]["MC"] = "改"
    with pytest.raises(Exception):
        if alg == "ed25519":
            key.verify(sig, hash_data(doc))
        else:
            key.verify(der, hash_data(doc), ec.ECDSA(hashes.SHA256()))


def test_a_licence_signed_in_python_verifies_in_zhengzhao(signed):
    alg, authority, _, issued, _, _, entry = signed
    key = serialization.load_pem_private_key(open(entry["key_path"], "rb").read(), password=None)
    doc = json.loads(issued.document)
    doc["credentialSubject"]["fields"]["ZS"] = "浙江省杭州市西湖区文三路1号"  # new content
    doc["proof"] = {k: v for k, v in doc["proof"].items() if k != "proofValue"}
    doc["proof"]["created"] = "2026-12-01T08:00:00Z"
    data = hash_data(doc)
    if alg == "ed25519":
        sig = key.sign(data)
    else:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    doc["proof"]["proofValue"] = "z" + b58encode(sig)
    v = zz.Verifier(authority.root_certificate, certificates=entry["certificate"])
    report = v.verify(doc)
    assert report.valid, report.message
    doc["credentialSubject"]["fields"]["ZS"] = "别处"
    assert v.verify(doc).code == "ZZ-E-SIG-004"


def test_a_vc_jwt_export_verifies_with_pyjwt(signed):
    alg, _, reg, issued, _, signer, _ = signed
    token = reg.export(issued.id, "vc-jwt")
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "vc+jwt" and header["alg"] == ("EdDSA" if alg == "ed25519" else "ES256")
    leaf = x509.load_der_x509_certificate(__import__("base64").b64decode(header["x5c"][0]))
    assert leaf == signer
    payload = jwt.decode(token, key=signer.public_key(), algorithms=[header["alg"]])
    doc = json.loads(issued.document)
    del doc["proof"]
    assert payload == doc
    with pytest.raises(jwt.InvalidSignatureError):
        parts = token.split(".")
        jwt.decode(parts[0] + "." + parts[1][:-4] + "AAAA." + parts[2], key=signer.public_key(), algorithms=[header["alg"]])


def test_canonicalize_matches_rfc8785_on_a_signed_document(signed):
    *_, issued, _, _, _ = signed
    doc = json.loads(issued.document)
    assert zz.canonicalize(doc) == rfc8785.dumps(doc)
    assert zz.canonicalize(copy.deepcopy(doc["credentialSubject"])) == rfc8785.dumps(doc["credentialSubject"])
