"""The registry through Python: issuance and its errors, the lifecycle, grants and consent,
the window lookup, the usage log checked offline, secondaries, backup and the integrity
check, and a closed registry."""

import collections.abc
import datetime as dt
import json

import pytest

import zhengzhao as zz

from conftest import BUSINESS, FOOD, PROPERTY


def test_issue_returns_id_document_and_seq(world, registry, verifier):
    lic = world.licence(BUSINESS, world.sampler.organisation(), "2025100001")
    issued = registry.issue(lic, operator="发证员")
    # The registry gives the licence its identifier (the issuer's next serial).
    i = zz.Identifier.parse(issued.id)
    assert (i.type_code, i.issuer, i.version) == (BUSINESS, world.issuer["code"], 1)
    assert json.loads(issued.document)["credentialSubject"]["id"] == issued.id
    assert issued.seq >= 0 and "Issued(" in repr(issued)
    assert registry.document(issued.id) == issued.document
    assert verifier.verify(issued.document).valid
    assert registry.find(BUSINESS, lic["number"]) == issued.id
    assert registry.find(BUSINESS, "no such number") is None
    # str and bytes forms of the licence data are taken as well
    lic2 = world.licence(FOOD, world.sampler.organisation(), "2025100002")
    again = registry.issue(json.dumps(lic2, ensure_ascii=False).encode(), operator="发证员")
    assert registry.find(FOOD, lic2["number"]) == again.id


def test_invalid_licence_data_lists_every_violation(world, registry):
    lic = world.licence(BUSINESS, world.sampler.organisation(), "2025100003")
    lic["fields"]["TYSHXYDM"] = "91330106MA2H3K7P0X"  # wrong check character
    del lic["fields"]["MC"]  # a required field
    lic["validity"]["from"] = "2025-02-30"
    with pytest.raises(zz.Error) as e:
        registry.issue(lic, operator="发证员")
    # an impossible date is unreadable JSON of the shape; fix it and look at the rest
    assert e.value.code in ("ZZ-E-FMT-001", "ZZ-E-SCHEMA-001")
    lic["validity"]["from"] = str(world.today)
    with pytest.raises(zz.SchemaError) as e:
        registry.issue(lic, operator="发证员")
    v = e.value.violations
    assert e.value.code == "ZZ-E-SCHEMA-001" and len(v) >= 2
    paths = {x["path"] for x in v}
    assert {"fields.TYSHXYDM", "fields.MC"} <= paths
    assert all({"path", "rule", "message"} <= set(x) for x in v)


def test_issuing_twice_is_refused(world, registry):
    lic = world.licence(BUSINESS, world.sampler.organisation(), "2025100004")
    registry.issue(lic, operator="发证员")
    with pytest.raises(zz.LifecycleError) as e:
        registry.issue(lic, operator="发证员")
    assert e.value.code.startswith("ZZ-E-LIFE")


def test_issue_many_reports_each(world, registry):
    good = [world.licence(BUSINESS, world.sampler.organisation(), f"20252000{i:02}") for i in range(5)]
    bad = dict(good[0], number="another")
    bad["fields"] = dict(bad["fields"], TYSHXYDM="0")
    out = registry.issue_many(good + [bad], operator="发证员")
    assert [type(o).__name__ for o in out] == ["Issued"] * 5 + ["SchemaError"]
    assert [registry.find(BUSINESS, g["number"]) for g in good] == [o.id for o in out[:5]]
    with pytest.raises(zz.Error):
        registry.issue_many([{"not": "a licence"}], operator="发证员")


def test_lifecycle_and_status(world, registry):
    lic = world.licence(BUSINESS, world.sampler.organisation(), "2025100005")
    i = registry.issue(lic, operator="发证员")
    s = registry.status(i.id)
    assert (s["status"], s["label"], s["code"]) == ("valid", "有效", "01")
    assert isinstance(s["since"], dt.datetime) and s["since"].tzinfo is not None
    assert s["valid_from"] == dt.date.fromisoformat(lic["validity"]["from"])
    seq = registry.suspend(i.id, operator="执法员", reason="暂扣")
    assert seq > i.seq and registry.status(i.id)["status"] == "suspended"
    registry.resume(zz.Identifier.parse(i.id), operator="执法员", reason="发还")
    with pytest.raises(zz.LifecycleError):
        registry.resume(i.id, operator="执法员", reason="again")
    registry.transition(i.id, "withdraw", operator="执法员", reason="撤销")
    assert registry.status(i.id)["status"] == "withdrawn"
    with pytest.raises(zz.UsageError):
        registry.transition(i.id, "explode", operator="x", reason="y")
    with pytest.raises(zz.IdentifierError):
        registry.status("1.2.156.not-an-id")


def test_change_and_renew_issue_new_versions(world, registry):
    lic = world.licence(world.person_type.code, world.sampler.person(), "2025100006")
    i = registry.issue(lic, operator="发证员")
    changed = dict(lic, fields=dict(lic["fields"]))
    first_field = next(f for f in world.person_type.fields if f["kind"] == "text" and not f.get("holder"))
    changed["fields"][first_field["code"]] = "变更后"
    c = registry.change(i.id, changed, operator="发证员", reason="变更")
    assert zz.Identifier.parse(c.id).version == 2
    assert registry.status(i.id)["successor"] == c.id
    # 延续: a new period that ends after the current one, within the type's longest period.
    until = dt.date.fromisoformat(lic["validity"]["until"]) + dt.timedelta(days=30)
    start = world.today + dt.timedelta(days=365)
    r = registry.renew(c.id, valid_from=start, until=until, operator="发证员", reason="延续")
    assert zz.Identifier.parse(r.id).version == 3
    assert registry.status(r.id)["valid_until"] == until


def test_window_lookup(world, filled):
    reg, business, food, _ = filled
    req = world.request(world.company, [BUSINESS, FOOD, PROPERTY, "11100000MB0143028R107"])
    answers = reg.lookup(req)
    assert [a.type_code for a in answers] == req["types"]
    assert answers[0].granted and answers[0].id == business.id and answers[0].document == business.document
    assert answers[1].id == food.id and bool(answers[1])
    assert (answers[2].refusal, answers[2].document) == ("consent_missing", None)
    assert answers[3].refusal == "not_authorised" and not answers[3]
    nobody = world.sampler.organisation()
    assert [a.refusal for a in reg.lookup(world.request(nobody, [BUSINESS]), log=False)] == ["none"]


def test_window_lookup_errors(world, filled):
    reg, *_ = filled
    with pytest.raises(zz.WindowError):
        reg.lookup(world.request(world.company, [BUSINESS], reason=""))
    with pytest.raises(zz.WindowError):
        reg.lookup({"holder_code": "x"})
    with pytest.raises(zz.Error):
        reg.lookup(world.request(world.company, []))
    # The request dict is read member by member: each malformed one is named.
    good = world.request(world.company, [BUSINESS])
    for change, said in [
        (lambda r: r.update(holder="x"), "unknown member 'holder'"),
        (lambda r: r.pop("context"), "missing member 'context'"),
        (lambda r: r["context"].pop("org"), "missing member 'context.org'"),
        (lambda r: r["context"].update(reason=7), "context.reason: expected a string"),
        (lambda r: r["context"].update(note="x"), "context: unknown member 'note'"),
        (lambda r: r.update(types=BUSINESS), "types: expected a list of strings"),
        (lambda r: r.update(context=[]), "context: expected an object"),
    ]:
        bad = json.loads(json.dumps(good))
        change(bad)
        with pytest.raises(zz.WindowError) as e:
            reg.lookup(bad)
        assert said in e.value.message, e.value.message
    # The same request as JSON text reads the same.
    assert [a.id for a in reg.lookup(json.dumps(good), log=False)] == [a.id for a in reg.lookup(good, log=False)]


def test_lookup_many_keeps_each_requests_error_in_place(world, filled):
    reg, business, _, persons = filled
    reqs = [world.request(world.company, [BUSINESS])]
    reqs += [world.request(p, [world.person_type.code]) for p in world.persons]
    reqs.append(world.request(world.company, [BUSINESS], operator=""))
    out = reg.lookup_many(reqs, log=False)
    assert out[0][0].id == business.id
    assert [a[0].id for a in out[1:-1]] == [p.id for p in persons]
    assert isinstance(out[-1], zz.WindowError)
    assert len(reg.lookup_many([], log=False)) == 0


def test_replies_are_a_sequence(world, filled):
    reg, business, _, persons = filled
    reqs = [world.request(world.company, [BUSINESS])] + [world.request(p, [world.person_type.code]) for p in world.persons]
    reqs.append(world.request(world.company, ["not a type"]))
    out = reg.lookup_many(reqs, log=False)
    assert isinstance(out, collections.abc.Sequence)
    assert len(out) == len(reqs)
    assert repr(out) == f"Replies({len(reqs)} requests, 1 refused)"
    assert out[-2][0].id == out[len(out) - 2][0].id == persons[-1].id
    assert isinstance(out[-1], zz.WindowError) and out[-1].code == "ZZ-E-WINDOW-001"
    with pytest.raises(IndexError):
        out[len(out)]
    with pytest.raises(IndexError):
        out[-len(out) - 1]
    listed = list(out)
    assert len(listed) == len(reqs) and listed[0][0].id == business.id
    assert [r[0].id for r in out[1:-1]] == [p.id for p in persons]
    assert [r[0].id for r in out[-2::-2]] == [r[0].id for r in listed[-2::-2]]
    assert out[5:1] == []
    # An answer's document is read when asked for, the same each time.
    assert out[0][0].document == out[0][0].document == reg.document(business.id)


def test_lookup_many_reads_a_json_array(world, filled):
    reg, business, _, persons = filled
    reqs = [world.request(world.company, [BUSINESS])] + [world.request(p, [world.person_type.code]) for p in world.persons]
    reqs.append(world.request(world.company, [BUSINESS], operator=""))
    text = json.dumps(reqs, ensure_ascii=False)
    for given in (text, text.encode()):
        out = reg.lookup_many(given, log=False)
        assert [r[0].id for r in out[:-1]] == [business.id] + [p.id for p in persons]
        # A request that parses but breaks a rule keeps its error in place.
        assert isinstance(out[-1], zz.WindowError)
    # JSON that is not an array of requests refuses the whole call, naming what is wrong.
    for bad in ("{}", "[{}]", "[1]", '[{"holder_code": 1}]', "[", b"\xff"):
        with pytest.raises(zz.WindowError) as e:
            reg.lookup_many(bad, log=False)
        assert e.value.code == "ZZ-E-WINDOW-001"
        assert "requests" in e.value.message
    # Neither a sequence nor JSON text.
    with pytest.raises(TypeError):
        reg.lookup_many(42, log=False)


def test_unauthorised_and_consent(world, registry):
    holder = world.sampler.person()
    lic = world.licence(PROPERTY, holder, "2025100007")
    registry.issue(lic, operator="发证员")
    req = world.request(holder, [PROPERTY])
    assert registry.lookup(req)[0].refusal == "not_authorised"
    registry.grant(world.org, PROPERTY, until=world.today, operator="管理员")
    assert registry.lookup(req)[0].refusal == "consent_missing"
    registry.add_consent(holder["code_type"], holder["code"], world.org, PROPERTY, reference="授权书-1", until=world.today)
    req["context"]["consent"] = "授权书-1"
    assert registry.lookup(req)[0].granted
    registry.revoke_consent(holder["code_type"], holder["code"], world.org, PROPERTY)
    assert registry.lookup(req)[0].refusal == "consent_missing"
    grants = registry.grants(world.org)
    assert [g["type_code"] for g in grants] == [PROPERTY]
    assert grants[0]["expires"] == dt.datetime.combine(
        world.today + dt.timedelta(days=1), dt.time(), dt.timezone(dt.timedelta(hours=8))
    )
    registry.revoke_grant(world.org, PROPERTY, operator="管理员")
    assert registry.lookup(req)[0].refusal == "not_authorised"
    with pytest.raises(zz.CodeError):
        registry.grant("not-a-uscc", PROPERTY, until=world.today, operator="管理员")
    with pytest.raises(zz.UsageError):
        registry.grant(world.org, PROPERTY, until="someday", operator="管理员")


def test_the_usage_log_verifies_offline(world, filled):
    reg, *_ = filled
    reg.lookup(world.request(world.company, [BUSINESS]))
    vkey = reg.log_vkey
    old = reg.checkpoint()
    old_size = reg.log_size
    reg.lookup(world.request(world.company, [FOOD]))
    note = reg.checkpoint()
    cp = zz.verify_checkpoint(vkey, note)
    assert cp["size"] == reg.log_size == old_size + 1 and len(cp["root"]) == 64
    seq = cp["size"] - 1
    event = reg.event(seq)
    assert json.loads(event)
    proof = reg.inclusion_proof(seq)
    assert zz.verify_inclusion(vkey, note, proof, event) == cp
    assert zz.verify_inclusion(vkey, note, json.dumps(proof), event.encode()) == cp
    with pytest.raises(zz.LogError) as e:
        zz.verify_inclusion(vkey, note, proof, event.replace("FOOD", "FOOT") + " ")
    assert e.value.code == "ZZ-E-LOG-002"
    with pytest.raises(zz.LogError):
        zz.verify_inclusion(vkey, old, proof, event)  # a proof for another size
    cons = reg.consistency_proof(old_size)
    assert zz.verify_consistency(vkey, old, note, cons)["size"] == cp["size"]
    with pytest.raises(zz.LogError):
        zz.verify_checkpoint(vkey, note.replace(str(cp["size"]), str(cp["size"] + 1), 1))
    with pytest.raises(zz.LogError):
        zz.verify_checkpoint("bad vkey", note)


def test_closed_registry(world, tmp_path):
    with zz.Registry.create(tmp_path / "r", authority=world.authority.path) as reg:
        assert not reg.closed and "open" in repr(reg)
    assert reg.closed and "closed" in repr(reg)
    with pytest.raises(zz.UsageError) as e:
        reg.lookup(world.request(world.company, [BUSINESS]))
    assert (e.value.code, e.value.number) == ("ZZ-E-USAGE-003", 1503)
    with pytest.raises(zz.UsageError):
        reg.log_size
    reg.close()  # harmless


def test_open_errors(world, tmp_path):
    with pytest.raises(zz.StorageError):
        zz.Registry.open(tmp_path / "absent")
    with pytest.raises(zz.UsageError):
        zz.Registry.create(tmp_path / "r", sync="sometimes")
    with pytest.raises(zz.Error):
        zz.Registry.create(tmp_path / "r2", authority=tmp_path / "no-authority")
    zz.Registry.create(tmp_path / "r3").close()
    with pytest.raises(zz.StorageError):
        zz.Registry.create(tmp_path / "r3")


def test_issuing_without_an_authority_is_refused(world, tmp_path):
    with zz.Registry.create(tmp_path / "r") as reg:
        with pytest.raises(zz.Error) as e:
            reg.issue(world.licence(BUSINESS, world.company, "2025100008"), operator="发证员")
        assert e.value.code.startswith(("ZZ-E-KEY", "ZZ-E-LIFE", "ZZ-E-STORE", "ZZ-E-TRUST"))


def test_a_secondary_sees_the_writer_after_catch_up(world, tmp_path):
    with zz.Registry.create(tmp_path / "w", authority=world.authority.path) as writer:
        holder = world.sampler.organisation()
        writer.grant(world.org, BUSINESS, until=world.today, operator="管理员")
        reader = zz.Registry.open_secondary(tmp_path / "w", tmp_path / "s")
        assert reader.is_secondary and not writer.is_secondary
        req = world.request(holder, [BUSINESS])
        assert reader.lookup(req)[0].refusal == "none"
        i = writer.issue(world.licence(BUSINESS, holder, "2025100009"), operator="发证员")
        reader.catch_up()
        assert reader.lookup(req)[0].id == i.id
        with pytest.raises(zz.Error):
            reader.issue(world.licence(BUSINESS, holder, "2025100010"), operator="发证员")
        before = writer.log_size
        assert writer.ingest_uses(tmp_path / "s") >= 1
        assert writer.log_size > before
        reader.close()


def test_backup_restore_and_check(world, filled, tmp_path):
    reg, business, *_ = filled
    info = reg.backup(tmp_path / "backup")
    assert info["log_size"] > 0 and len(info["log_root"]) == 64
    report = reg.check()
    assert report["problems"] == [] and report["licences"] >= 10
    with zz.Registry.restore(tmp_path / "backup", tmp_path / "restored") as r:
        assert r.document(business.id) == business.document
        assert r.log_size == info["log_size"]
    with pytest.raises(zz.Error):
        reg.backup(tmp_path / "backup")  # not empty


def test_signing_key_rotation(world, tmp_path):
    """A department's new signing certificate: new licences are signed with it, the old ones
    still verify, and a bundle carries the retired certificate too."""
    authority = zz.Authority.init(
        tmp_path / "ca", root_name="轮换测试根CA", issuer_name=world.issuer["name"], issuer_code=world.issuer["code"]
    )
    method = lambda doc: json.loads(doc)["proof"]["verificationMethod"]
    with zz.Registry.create(tmp_path / "reg", authority=authority.path, sync="os-buffered") as reg:
        before = reg.issue(world.licence(BUSINESS, world.company, "2026200001"), operator="发证员")
    new = authority.add_signer(issuer_name=world.issuer["name"], issuer_code=world.issuer["code"])
    assert new["number"] == 2 and len(authority.signers()) == 2
    with zz.Registry.open(tmp_path / "reg", authority=authority.path) as reg:
        after = reg.issue(world.licence(FOOD, world.company, "2026200002"), operator="发证员")
        bundle = reg.bundle([before.id, after.id])
    assert method(before.document) != method(after.document)
    root = authority.root_certificate
    assert zz.Verifier(root).verify_bundle(bundle).valid
    certificates = "".join(s["certificate"] for s in authority.signers())
    verifier = zz.Verifier(root, certificates=certificates)
    assert all(r.valid for r in verifier.verify_many([before.document, after.document]))
    # Without the retired certificate, the old licence no longer finds its signer.
    assert zz.Verifier(root, certificates=new["certificate"]).verify(before.document).code == "ZZ-E-SIG-005"
