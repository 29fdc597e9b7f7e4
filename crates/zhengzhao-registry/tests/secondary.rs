//! Read-only secondaries: window processes that read a registry another process writes.

mod common;

use common::*;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::{Cause, Options, Refusal, Registry};

#[test]
fn a_secondary_reads_what_the_writer_wrote_after_catching_up_and_writes_nothing() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let r = f.request_today(&ty, &holder);
    let first = f.reg().issue(&r).unwrap();
    let org = org(1);
    let mirror = f.tmp.path().join("secondary");
    let sec = Registry::open_secondary(&f.dir, &mirror, Options::new()).unwrap();
    assert!(sec.is_secondary() && !f.reg().is_secondary());
    assert_eq!(sec.document(&first.id).unwrap(), first.document);
    assert_eq!(sec.log_len(), f.reg().log_len());
    let now = time::OffsetDateTime::now_utc();
    let req = window(&holder, &[&ty], &org);
    let ans = sec.answer_many_at(std::slice::from_ref(&req), now).unwrap();
    assert_eq!(
        ans[0].as_ref().unwrap()[0].refusal(),
        Some(Refusal::NotAuthorised)
    );

    // The writer grants the type and issues another licence: the secondary sees neither yet.
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let other = f.person();
    let r = f.request_today(&ty, &other);
    let second = f.reg().issue(&r).unwrap();
    let e = sec.document(&second.id).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LicenceNotFound);

    sec.catch_up().unwrap();
    assert_eq!(sec.document(&second.id).unwrap(), second.document);
    assert_eq!(sec.log_len(), f.reg().log_len());
    assert_eq!(
        sec.log_root(sec.log_len()).unwrap(),
        f.reg().log_root(f.reg().log_len()).unwrap()
    );
    let ans = sec.answer_many_at(std::slice::from_ref(&req), now).unwrap();
    assert_eq!(
        ans[0].as_ref().unwrap()[0].document(),
        Some(&first.document[..]),
        "the grant too"
    );
    // Revocation on the writer shows after the next catch-up.
    f.reg()
        .revoke(&first.id, &Cause::new("张科长", "罚〔2026〕1号"))
        .unwrap();
    sec.catch_up().unwrap();
    let ans = sec.answer_many_at(std::slice::from_ref(&req), now).unwrap();
    assert_eq!(
        ans[0].as_ref().unwrap()[0].refusal(),
        Some(Refusal::Revoked)
    );

    // Every write is refused, with its own code, and nothing reaches the writer's log.
    let before = f.reg().log_len();
    let read_only = |e: zhengzhao_registry::RegistryError| {
        assert_eq!(e.code(), ErrorCode::StorageReadOnly, "{e}");
    };
    let r = f.request_today(&ty, &holder);
    read_only(sec.issue(&r).unwrap_err());
    read_only(sec.lookup(&req).unwrap_err());
    read_only(sec.checkpoint().unwrap_err());
    read_only(
        sec.add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
            .unwrap_err(),
    );
    read_only(
        sec.revoke(&second.id, &Cause::new("张科长", "x"))
            .unwrap_err(),
    );
    assert_eq!(f.reg().log_len(), before);
    // The writer goes on; a second writer is still refused while it is open.
    let e = Registry::open(&f.dir, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageLocked);
    let r = f.request_today(&ty, &holder);
    f.reg().issue(&r).unwrap();
}

#[test]
fn a_secondary_of_a_folder_that_is_not_a_registry_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Registry::open_secondary(
        &tmp.path().join("none"),
        &tmp.path().join("s"),
        Options::new(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry);
}
