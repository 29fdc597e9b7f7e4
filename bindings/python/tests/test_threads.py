"""Several Python threads on shared objects at once: lookups on one registry and
verifications on one verifier, each answer checked."""

import threading

import zhengzhao as zz

from conftest import BUSINESS


def test_threads_share_a_registry_and_a_verifier(world, filled, verifier):
    reg, business, _, persons = filled
    expected = {p["code"]: i.id for p, i in zip(world.persons, persons)}
    docs = [i.document for i in persons]
    errors = []
    counts = [0] * 6

    def lookups(n):
        for k in range(40):
            p = world.persons[(n + k) % len(world.persons)]
            a = reg.lookup(world.request(p, [world.person_type.code, BUSINESS]), log=k % 2 == 0)
            if a[0].id != expected[p["code"]] or a[1].refusal != "none":
                errors.append(("lookup", n, k, a))
            counts[n] += 1

    def verifications(n):
        for k in range(20):
            rs = verifier.verify_many(docs)
            single = verifier.verify(business.document)
            if not all(r.valid for r in rs) or not single.valid or [r.id for r in rs] != [i.id for i in persons]:
                errors.append(("verify", n, k))
            counts[n] += 1

    threads = [threading.Thread(target=lookups, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=verifications, args=(n,)) for n in range(3, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counts == [40, 40, 40, 20, 20, 20]


def test_closing_while_other_threads_look_up(world, tmp_path):
    reg = zz.Registry.create(tmp_path / "r", authority=world.authority.path, sync="os-buffered")
    reg.grant(world.org, BUSINESS, until=world.today, operator="管理员")
    outcomes = []
    started = threading.Barrier(3)

    def worker():
        started.wait()
        try:
            for _ in range(200):
                reg.lookup(world.request(world.company, [BUSINESS]), log=False)
            outcomes.append("done")
        except zz.UsageError as e:
            outcomes.append(e.code)

    ts = [threading.Thread(target=worker) for _ in range(2)]
    for t in ts:
        t.start()
    started.wait()
    reg.close()
    for t in ts:
        t.join()
    assert set(outcomes) <= {"done", "ZZ-E-USAGE-003"} and len(outcomes) == 2
