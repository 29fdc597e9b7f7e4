//! Creating and opening registries: persistence, schema version, non-registry folders, the
//! holder-index secret, and one writer at a time.

mod common;

use common::*;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::layout::{self, COLUMN_FAMILIES};
use zhengzhao_registry::{Options, Registry};

#[test]
fn a_new_registry_has_every_column_family_and_an_owner_only_secret() {
    let f = Fixture::new();
    drop(f.registry);
    let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), f.dir.join("db")).unwrap();
    for c in COLUMN_FAMILIES {
        assert!(cfs.iter().any(|x| x == c), "{c} missing from {cfs:?}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.dir.join("holder.secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The secret is not in the database folder.
    assert!(!f.dir.join("db").join("holder.secret").exists());
}

#[test]
fn licences_grants_and_the_log_survive_reopening() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();
    let org = org(1);
    f.reg()
        .add_grant(
            &org,
            &ty.code,
            years_ahead(1),
            "管理员",
            "浙数据〔2024〕1号",
        )
        .unwrap();
    let log_len = f.reg().log_len();
    assert_eq!(log_len, 2);

    f.reopen();
    assert_eq!(f.reg().document(&issued.id).unwrap(), issued.document);
    assert_eq!(f.reg().log_len(), log_len);
    assert_eq!(f.reg().grants(Some(&org)).unwrap().len(), 1);
    let answers = f.reg().lookup(&window(&holder, &[&ty], &org)).unwrap();
    assert_eq!(answers[0].document(), Some(&issued.document[..]));
    // The log goes on from where it was; the serial counter too.
    assert_eq!(f.reg().log_len(), log_len + 1);
    let again = f.reg().issue(&req).unwrap_err();
    assert_eq!(
        again.code(),
        ErrorCode::NumberTaken,
        "the number index survives too"
    );
    let req2 = f.request_today(&ty, &holder);
    let second = f.reg().issue(&req2).unwrap();
    assert_ne!(second.id.serial(), issued.id.serial());
    assert!(second.id.serial() > issued.id.serial());
    let seqs: Vec<u64> = f
        .reg()
        .events(0, u64::MAX)
        .unwrap()
        .iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(seqs, (0..log_len + 2).collect::<Vec<_>>());
}

#[test]
fn a_second_open_of_an_open_registry_is_refused_clearly() {
    let f = Fixture::new();
    let e = Registry::open(&f.dir, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageLocked, "{e}");
    assert!(e.to_string().contains("open for writing"), "{e}");
    // The first handle still works.
    assert_eq!(f.reg().log_len(), 0);
    let mut f = f;
    drop(f.registry.take());
    Registry::open(&f.dir, f.options()).unwrap();
}

#[test]
fn folders_that_are_not_registries_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Registry::open(tmp.path(), Options::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry, "{e}");
    let e = Registry::open(&tmp.path().join("absent"), Options::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry, "{e}");

    // A RocksDB database that is not a registry.
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    {
        let mut o = rocksdb::Options::default();
        o.create_if_missing(true);
        rocksdb::DB::open(&o, other.join("db")).unwrap();
    }
    std::fs::write(other.join("holder.secret"), [0u8; 32]).unwrap();
    let e = Registry::open(&other, Options::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry, "{e}");
    assert!(e.to_string().contains("column family"), "{e}");
}

#[test]
fn a_registry_is_created_only_in_a_new_or_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
    let e = Registry::create(tmp.path(), Options::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageExists, "{e}");
    assert!(tmp.path().join("notes.txt").exists());

    let f = Fixture::new();
    let e = Registry::create(&f.dir, Options::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageExists, "{e}");
}

#[test]
fn another_schema_version_is_refused() {
    let mut f = Fixture::new();
    drop(f.registry.take());
    {
        let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), f.dir.join("db")).unwrap();
        let db =
            rocksdb::DB::open_cf(&rocksdb::Options::default(), f.dir.join("db"), &cfs).unwrap();
        let meta = db.cf_handle(layout::CF_META).unwrap();
        db.put_cf(meta, layout::META_SCHEMA, 99u32.to_be_bytes())
            .unwrap();
    }
    let e = Registry::open(&f.dir, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageSchema, "{e}");
    assert!(e.to_string().contains("schema version 99"), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("version {}", layout::SCHEMA_VERSION)),
        "{e}"
    );

    {
        let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), f.dir.join("db")).unwrap();
        let db =
            rocksdb::DB::open_cf(&rocksdb::Options::default(), f.dir.join("db"), &cfs).unwrap();
        let meta = db.cf_handle(layout::CF_META).unwrap();
        db.delete_cf(meta, layout::META_SCHEMA).unwrap();
    }
    let e = Registry::open(&f.dir, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry, "{e}");
}

#[test]
fn the_secret_must_be_there_private_and_the_registrys_own() {
    let mut f = Fixture::new();
    drop(f.registry.take());
    let secret = f.dir.join("holder.secret");
    let original = std::fs::read(&secret).unwrap();

    std::fs::remove_file(&secret).unwrap();
    let e = Registry::open(&f.dir, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageSecret, "{e}");

    // Another registry's secret.
    write_private(&secret, &[7u8; 32]);
    let e = Registry::open(&f.dir, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageSecret, "{e}");
    assert!(e.to_string().contains("not the secret"), "{e}");

    std::fs::remove_file(&secret).unwrap();
    write_private(&secret, &original);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Registry::open(&f.dir, f.options()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StorageSecret, "{e}");
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    f.registry = Some(Registry::open(&f.dir, f.options()).unwrap());
}

fn write_private(path: &std::path::Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn a_registry_without_a_signer_serves_but_does_not_issue() {
    let mut f = Fixture::new();
    drop(f.registry.take());
    let r = Registry::open(&f.dir, Options::new()).unwrap();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let e = r.issue(&req).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSigner, "{e}");
    assert_eq!(r.log_len(), 0);
}

#[test]
fn the_default_sync_policy_syncs_every_write() {
    let f = Fixture::with_sync(zhengzhao_registry::WalSync::EveryWrite);
    let ty = person_type();
    let mut f = f;
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();
    assert_eq!(
        zhengzhao_registry::Options::new().sync,
        zhengzhao_registry::WalSync::EveryWrite
    );
    f.reopen();
    assert_eq!(f.reg().document(&issued.id).unwrap(), issued.document);
}

#[test]
fn a_schema_2_registry_is_upgraded_when_opened_for_writing() {
    let mut f = Fixture::new();
    drop(f.registry.take());
    let db_dir = f.dir.join("db");
    {
        // What a schema 2 registry is: the same, without the `ofd` column family.
        let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), &db_dir).unwrap();
        let mut db = rocksdb::DB::open_cf(&rocksdb::Options::default(), &db_dir, &cfs).unwrap();
        db.drop_cf(layout::CF_OFD).unwrap();
        let meta = db.cf_handle(layout::CF_META).unwrap();
        db.put_cf(meta, layout::META_SCHEMA, 2u32.to_be_bytes())
            .unwrap();
    }
    // A secondary cannot upgrade it.
    let e = Registry::open_secondary(&f.dir, &f.tmp.path().join("ro"), f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry, "{e}");
    assert!(e.to_string().contains("open it once for writing"), "{e}");

    f.reopen();
    assert!(f.reg().check().unwrap().ok());
    drop(f.registry.take());
    let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), &db_dir).unwrap();
    assert!(cfs.iter().any(|c| c == layout::CF_OFD), "{cfs:?}");
    {
        let mut db = rocksdb::DB::open_cf(&rocksdb::Options::default(), &db_dir, &cfs).unwrap();
        let meta = db.cf_handle(layout::CF_META).unwrap();
        assert_eq!(
            db.get_cf(meta, layout::META_SCHEMA).unwrap().unwrap(),
            layout::SCHEMA_VERSION.to_be_bytes()
        );
        // A schema 3 registry without the column family is not upgraded: it is broken.
        db.drop_cf(layout::CF_OFD).unwrap();
    }
    let e = Registry::open(&f.dir, f.options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNotRegistry, "{e}");
    assert!(e.to_string().contains("no column family 'ofd'"), "{e}");
}
