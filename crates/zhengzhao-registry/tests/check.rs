//! The integrity check: a sound registry has no problem; a damaged copy has each damage
//! reported.

mod common;

use common::*;
use rocksdb::{ColumnFamilyDescriptor, Options as DbOptions, DB};
use zhengzhao_registry::layout;
use zhengzhao_registry::{Cause, Options, Registry};

/// Opens a registry's database raw, as an attacker or a failing disk would change it.
fn raw(dir: &std::path::Path) -> DB {
    let path = dir.join("db");
    let names = DB::list_cf(&DbOptions::default(), &path).unwrap();
    let cfs = names
        .iter()
        .map(|n| ColumnFamilyDescriptor::new(n, DbOptions::default()));
    DB::open_cf_descriptors(&DbOptions::default(), &path, cfs).unwrap()
}

#[test]
fn every_damage_is_reported() {
    let mut f = Fixture::new();
    let ty = person_type();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let holders: Vec<_> = (0..8).map(|_| f.person()).collect();
    let requests: Vec<_> = holders.iter().map(|h| f.request_today(&ty, h)).collect();
    let issued: Vec<_> = f
        .reg()
        .issue_many(&requests)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    f.reg()
        .revoke(&issued[0].id, &Cause::new("张科长", "罚〔2026〕5号"))
        .unwrap();
    f.reg().lookup(&window(&holders[1], &[&ty], &org)).unwrap();
    f.reg().checkpoint().unwrap();
    let sound = f.reg().check().unwrap();
    assert!(sound.ok(), "{:#?}", sound.problems);
    assert_eq!(sound.licences, 8);
    assert_eq!(sound.checkpoint_size, Some(sound.log_size));

    // A copy to damage, through a backup.
    let copy = f.tmp.path().join("copy");
    f.reg().backup(&copy).unwrap();
    {
        let db = raw(&copy);
        let cf = |n: &str| db.cf_handle(n).unwrap();
        let id = |i: usize| issued[i].id.to_string();
        // 1. A stored document altered (its name changed): the signature no longer holds.
        let doc = String::from_utf8(issued[2].document.clone()).unwrap();
        let name = &holders[2].name;
        db.put_cf(
            cf(layout::CF_LICENCE),
            id(2),
            doc.replacen(name.as_str(), "李四", 1),
        )
        .unwrap();
        // 2. A status record lost.
        db.delete_cf(cf(layout::CF_STATUS), id(3)).unwrap();
        // 3. A number index entry lost.
        let number = layout::number_key(ty.code.as_ref(), &requests[4].number);
        db.delete_cf(cf(layout::CF_NUMBER), number).unwrap();
        // 4. A status list entry that says Valid for the revoked licence.
        let rec = f.reg().status_record(&issued[0].id).unwrap();
        let k = layout::statuslist_key(f.issuer.code.as_ref(), rec.list, rec.index);
        db.put_cf(
            cf(layout::CF_STATUSLIST),
            k,
            layout::statuslist_value(zhengzhao_core::status::Status::Valid, &id(0)),
        )
        .unwrap();
        // 5. A licence removed, its indexes left behind.
        db.delete_cf(cf(layout::CF_LICENCE), id(5)).unwrap();
        // 6. A logged event rewritten (the window's use of licence 1).
        let last = sound.log_size - 1;
        db.put_cf(
            cf(layout::CF_LOG),
            last.to_be_bytes(),
            b"{\"kind\":\"use\",\"forged\":true}",
        )
        .unwrap();
    }
    let damaged = Registry::open(&copy, Options::new()).unwrap();
    let report = damaged.check().unwrap();
    let found: Vec<(&str, &str)> = report
        .problems
        .iter()
        .map(|p| (p.kind, p.at.as_str()))
        .collect();
    let expect = |kind: &str, at: &str| {
        assert!(
            found.iter().any(|(k, a)| *k == kind && a.contains(at)),
            "{kind} at {at} not reported in {:#?}",
            report.problems
        );
    };
    expect("signature", issued[2].id.as_ref());
    expect("status_missing", issued[3].id.as_ref());
    expect("number_missing", issued[4].id.as_ref());
    expect("statuslist_mismatch", issued[0].id.as_ref());
    for kind in [
        "status_orphan",
        "statuslist_orphan",
        "number_orphan",
        "holder_orphan",
        "current_orphan",
    ] {
        expect(kind, "");
    }
    expect("log_tree", "merkle");
    expect("checkpoint", "meta checkpoint");
    assert_eq!(report.licences, 7);
    // Nothing else: the sound licences are not reported.
    for i in [1, 6, 7] {
        assert!(
            !found.iter().any(|(_, a)| a.contains(issued[i].id.as_ref())),
            "{:#?}",
            report.problems
        );
    }
}
