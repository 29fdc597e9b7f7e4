//! Online backup and restore: the restored registry serves the answers of the moment of the
//! backup, and goes on from there.

mod common;

use common::*;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::{Cause, Registry};

#[test]
fn a_restored_backup_serves_the_same_answers() {
    let mut f = Fixture::new();
    let ty = person_type();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let holders: Vec<_> = (0..20).map(|_| f.person()).collect();
    let requests: Vec<_> = holders.iter().map(|h| f.request_today(&ty, h)).collect();
    let issued: Vec<_> = f
        .reg()
        .issue_many(&requests)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    f.reg()
        .revoke(&issued[3].id, &Cause::new("张科长", "罚〔2026〕3号"))
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let windows: Vec<_> = holders.iter().map(|h| window(h, &[&ty], &org)).collect();
    let before = f.reg().answer_many_at(&windows, now).unwrap();

    let backup = f.tmp.path().join("backup");
    let info = f.reg().backup(&backup).unwrap();
    assert_eq!(info.log_len, f.reg().log_len());
    assert_eq!(info.log_root, f.reg().log_root(info.log_len).unwrap());
    // The registry goes on after the backup; the backup does not see it.
    f.reg()
        .revoke(&issued[4].id, &Cause::new("张科长", "罚〔2026〕4号"))
        .unwrap();

    let restored_dir = f.tmp.path().join("restored");
    let restored = Registry::restore(&backup, &restored_dir, f.options()).unwrap();
    assert_eq!(restored.answer_many_at(&windows, now).unwrap(), before);
    for i in &issued {
        assert_eq!(restored.document(&i.id).unwrap(), i.document);
    }
    assert_eq!(restored.log_len(), info.log_len);
    assert_eq!(restored.log_root(info.log_len).unwrap(), info.log_root);
    // It goes on from there: new licences, new log events, the same holder index.
    let extra = f.person();
    let r = f.request_today(&ty, &extra);
    let next = restored.issue(&r).unwrap();
    assert!(next.id.serial() > issued.last().unwrap().id.serial());
    assert_eq!(restored.log_len(), info.log_len + 1);
    let e = restored.issue(&requests[0]).unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::NumberTaken,
        "the number index came along"
    );
}

#[test]
fn backups_and_restores_go_only_to_new_folders() {
    let f = Fixture::new();
    let taken = f.tmp.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("x"), "keep").unwrap();
    assert_eq!(
        f.reg().backup(&taken).unwrap_err().code(),
        ErrorCode::StorageExists
    );
    let backup = f.tmp.path().join("b");
    f.reg().backup(&backup).unwrap();
    let e = Registry::restore(&backup, &taken, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageExists);
    assert_eq!(std::fs::read_to_string(taken.join("x")).unwrap(), "keep");
    let e = Registry::restore(
        &f.tmp.path().join("nothing"),
        &f.tmp.path().join("r"),
        f.options(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry);
    // The backup's keys are owner-only, as the registry's are.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(backup.join("holder.secret"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0);
}
