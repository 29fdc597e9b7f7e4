//! Issuance and every lifecycle path: the signed documents, the status, the status list, the
//! current index, the history and the log; and every refused step.

mod common;

use common::*;
use serde_json::Value;
use time::macros::date;
use zhengzhao_core::codes::HolderCodeType;
use zhengzhao_core::credential;
use zhengzhao_core::identifier::LicenceId;
use zhengzhao_core::licence::Validity;
use zhengzhao_core::status::Status;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::{Cause, IssueRequest, Refusal, Step};

fn cause() -> Cause {
    Cause::new("李处长", "浙市监罚〔2024〕12号")
}

fn status_entry(doc: &[u8]) -> credential::StatusEntry {
    let v: Value = serde_json::from_slice(doc).unwrap();
    credential::from_credential(&v).unwrap().1.unwrap()
}

#[test]
fn an_issued_licence_is_signed_stored_indexed_and_logged() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();

    // The identifier: the issuer's serial, version 001, 10 characters of [0-9A-Z].
    assert_eq!(issued.id.type_code(), &ty.code);
    assert_eq!(issued.id.issuer().to_string(), f.issuer.code.to_string());
    assert_eq!(issued.id.version(), 1);
    assert!(issued.id.serial().len() >= 10);
    assert!(issued
        .id
        .serial()
        .bytes()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));

    // Stored exactly as returned, and it verifies offline.
    assert_eq!(f.reg().document(&issued.id).unwrap(), issued.document);
    assert!(f.verifies(&issued.document));
    let stored = f.reg().stored_licence(&issued.id).unwrap();
    assert_eq!(stored.holders, req.holders);
    assert_eq!(stored.name, ty.name);

    // The status entry: a list of at least 131,072 entries of this issuer.
    let entry = status_entry(&issued.document);
    assert_eq!(entry.list, format!("urn:zz:statuslist:{}:0", f.issuer.code));
    assert!(entry.index < 131_072);
    let list = f.reg().status_list(f.issuer.code.as_ref(), 0).unwrap();
    assert!(list.len() >= 131_072);
    assert_eq!(list.get(entry.index).unwrap(), Status::Valid);
    assert_eq!(f.reg().status(&issued.id).unwrap(), Status::Valid);

    // History and the certificate used.
    assert_eq!(
        f.reg().history(&holder.code_type, &holder.code).unwrap(),
        vec![issued.id.clone()]
    );
    let certs = f.reg().certificates().unwrap();
    assert_eq!(certs.len(), 1);
    let (_, signer_cert, _) = &f.authority.signers().unwrap()[0];
    assert_eq!(certs[0].1, signer_cert.der());

    // The log event commits to the document.
    let ev = events(f.reg());
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["kind"], "issue");
    assert_eq!(ev[0]["id"], issued.id.as_ref());
    assert_eq!(issued.seq, 0);
    use sha2::Digest;
    assert_eq!(
        ev[0]["digest"],
        hex::encode(sha2::Sha256::digest(&issued.document))
    );
    assert!(!String::from_utf8_lossy(&f.reg().events(0, 1).unwrap()[0].1).contains(&holder.code));
}

#[test]
fn status_list_entries_are_distinct_and_scattered() {
    // Entries are picked at random, so that a list's bits say nothing about issuance order
    // (herd privacy); the random numbers are drawn in blocks, which this spans several times.
    let mut f = Fixture::new();
    let ty = person_type();
    let holders: Vec<_> = (0..300).map(|_| f.person()).collect();
    let requests: Vec<_> = holders.iter().map(|h| f.request_today(&ty, h)).collect();
    let mut indices: Vec<u64> = f
        .reg()
        .issue_many(&requests)
        .unwrap()
        .into_iter()
        .map(|r| status_entry(&r.unwrap().document).index)
        .collect();
    indices.sort_unstable();
    indices.dedup();
    assert_eq!(indices.len(), 300, "an entry was handed out twice");
    // 300 random entries of 131,072 sit next to each other about once; handed out in order,
    // 299 times.
    let adjacent = indices.windows(2).filter(|w| w[1] == w[0] + 1).count();
    assert!(adjacent < 10, "{adjacent} adjacent entries");
    let list = f.reg().status_list(f.issuer.code.as_ref(), 0).unwrap();
    assert!(indices
        .iter()
        .all(|&i| list.get(i).unwrap() == Status::Valid));
}

#[test]
fn invalid_licence_data_is_refused_before_anything_is_allocated() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let good = f.request_today(&ty, &holder);

    let mut bad = good.clone();
    bad.holders[0].code = "110105194912310021".into(); // wrong check character
    let e = f.reg().issue(&bad).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SchemaViolation, "{e}");

    let mut bad = good.clone();
    bad.fields.insert("NO_SUCH_FIELD".into(), Value::from("x"));
    assert_eq!(
        f.reg().issue(&bad).unwrap_err().code(),
        ErrorCode::SchemaViolation
    );

    let mut bad = good.clone();
    bad.type_version = Some(999);
    assert_eq!(
        f.reg().issue(&bad).unwrap_err().code(),
        ErrorCode::CatalogUnknownType
    );

    let mut bad = good.clone();
    bad.operator = " ".into();
    assert_eq!(
        f.reg().issue(&bad).unwrap_err().code(),
        ErrorCode::LifecycleRequest
    );

    // An issuer without a signing key.
    let mut bad = good.clone();
    bad.issuer = f.sampler.issuer("另一个部门");
    let e = f.reg().issue(&bad).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSigner, "{e}");

    assert_eq!(f.reg().log_len(), 0, "nothing was written");
    let issued = f.reg().issue(&good).unwrap();
    assert_eq!(issued.id.serial(), "0000000001", "no serial was used up");
}

/// Every step from every reachable state: allowed ones move the state and the list entry and
/// are logged; the others are refused with ZZ-E-LIFE-002 and change nothing.
#[test]
fn every_step_from_every_state() {
    let reach: &[(Status, &[Step])] = &[
        (Status::Valid, &[]),
        (Status::Suspended, &[Step::Suspend]),
        (Status::Revoked, &[Step::Revoke]),
        (Status::Withdrawn, &[Step::Withdraw]),
        (Status::Cancelled, &[Step::Cancel]),
        (Status::TransferredOut, &[Step::TransferOut]),
    ];
    let mut f = Fixture::new();
    let ty = person_type();
    for (state, path) in reach {
        for step in Step::ALL {
            let holder = f.person();
            let req = f.request_today(&ty, &holder);
            let id = f.reg().issue(&req).unwrap().id;
            for s in *path {
                f.reg().transition(&id, *s, &cause()).unwrap();
            }
            assert_eq!(f.reg().status(&id).unwrap(), *state);
            let before = f.reg().log_len();
            let result = f.reg().transition(&id, *step, &cause());
            let entry = status_entry(&f.reg().document(&id).unwrap());
            let list = f.reg().status_list(f.issuer.code.as_ref(), 0).unwrap();
            if step.allowed_from(*state) {
                result.unwrap_or_else(|e| panic!("{step:?} from {state:?}: {e}"));
                assert_eq!(f.reg().status(&id).unwrap(), step.target());
                assert_eq!(list.get(entry.index).unwrap(), step.target());
                assert_eq!(f.reg().log_len(), before + 1);
                let ev = &events(f.reg())[before as usize];
                assert_eq!(ev["kind"], "status");
                assert_eq!(ev["step"], step.name());
                assert_eq!(ev["from"], state.external_code());
                assert_eq!(ev["to"], step.target().external_code());
                assert_eq!(ev["operator"], "李处长");
            } else {
                let e = result.unwrap_err();
                assert_eq!(
                    e.code(),
                    ErrorCode::IllegalTransition,
                    "{step:?} from {state:?}"
                );
                assert!(e.to_string().contains(step.name()), "{e}");
                assert_eq!(f.reg().status(&id).unwrap(), *state);
                assert_eq!(list.get(entry.index).unwrap(), *state);
                assert_eq!(f.reg().log_len(), before);
            }
        }
    }
    // The table itself: what may be left and what is final.
    assert!(Step::Resume.allowed_from(Status::Suspended));
    assert!(!Step::Resume.allowed_from(Status::Revoked));
    assert!(!Step::Resume.allowed_from(Status::Withdrawn));
    assert!(!Step::TransferOut.allowed_from(Status::Suspended));
    for s in Step::ALL {
        for st in [
            Status::Revoked,
            Status::Withdrawn,
            Status::Cancelled,
            Status::TransferredOut,
            Status::Superseded,
            Status::Expired,
        ] {
            assert!(!s.allowed_from(st), "{s:?} from {st:?}");
        }
    }
}

#[test]
fn a_revoked_licence_cannot_be_resumed() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let id = f.reg().issue(&req).unwrap().id;
    f.reg().suspend(&id, &cause()).unwrap();
    f.reg().revoke(&id, &cause()).unwrap();
    let e = f.reg().resume(&id, &cause()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert!(e.to_string().contains("吊销"), "{e}");
    assert!(e.to_string().contains("resume"), "{e}");
}

#[test]
fn steps_on_unknown_licences_and_with_bad_causes_are_refused() {
    let mut f = Fixture::new();
    let unknown =
        LicenceId::parse("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F")
            .unwrap();
    for step in Step::ALL {
        let e = f.reg().transition(&unknown, *step, &cause()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LicenceNotFound, "{e}");
    }
    assert_eq!(
        f.reg()
            .renew(
                &unknown,
                Validity::long_term(date!(2024 - 01 - 01)),
                &cause()
            )
            .unwrap_err()
            .code(),
        ErrorCode::LicenceNotFound
    );
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let id = f.reg().issue(&req).unwrap().id;
    for bad in [
        Cause::new("", "x"),
        Cause::new("a", &"长".repeat(201)),
        Cause::new("a\u{7}", "x"),
    ] {
        let e = f.reg().suspend(&id, &bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LifecycleRequest, "{e}");
    }
    assert_eq!(f.reg().status(&id).unwrap(), Status::Valid);
}

#[test]
fn a_change_makes_version_two_and_supersedes_version_one() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(2), "管理员", "")
        .unwrap();
    let req = f.request_today(&ty, &holder);
    let v1 = f.reg().issue(&req).unwrap();

    let mut changed = req.clone();
    changed.number = format!("{}-变更", req.number);
    let v2 = f.reg().change(&v1.id, &changed, &cause()).unwrap();
    assert_eq!(v2.id.version(), 2);
    assert_eq!(v2.id.serial(), v1.id.serial());
    assert!(f.verifies(&v2.document));
    let l2 = f.reg().stored_licence(&v2.id).unwrap();
    assert_eq!(l2.previous.as_ref(), Some(&v1.id), "关联证照标识");
    assert_eq!(l2.number, changed.number);

    // Old one superseded (in the status and the list), new one current.
    assert_eq!(f.reg().status(&v1.id).unwrap(), Status::Superseded);
    let rec = f.reg().status_record(&v1.id).unwrap();
    assert_eq!(rec.successor.as_deref(), Some(v2.id.as_ref()));
    let e1 = status_entry(&v1.document);
    let e2 = status_entry(&v2.document);
    assert_ne!(e1.index, e2.index);
    let list = f.reg().status_list(f.issuer.code.as_ref(), 0).unwrap();
    assert_eq!(list.get(e1.index).unwrap(), Status::Superseded);
    assert_eq!(list.get(e2.index).unwrap(), Status::Valid);
    let a = f.reg().lookup(&window(&holder, &[&ty], &org)).unwrap();
    assert_eq!(a[0].id(), Some(v2.id.as_ref()));
    assert_eq!(a[0].document(), Some(&v2.document[..]));
    assert_eq!(
        f.reg().history(&holder.code_type, &holder.code).unwrap(),
        vec![v1.id.clone(), v2.id.clone()]
    );
    let ev = events(f.reg());
    let change = ev.iter().find(|e| e["kind"] == "change").unwrap();
    assert_eq!(change["previous"], v1.id.as_ref());
    assert_eq!(change["id"], v2.id.as_ref());

    // Version 1 can no longer be changed, renewed or suspended.
    let e = f.reg().change(&v1.id, &changed, &cause()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert!(
        e.to_string().contains(v2.id.as_ref()),
        "names the successor: {e}"
    );
    assert_eq!(
        f.reg().suspend(&v1.id, &cause()).unwrap_err().code(),
        ErrorCode::IllegalTransition
    );
    assert_eq!(
        f.reg()
            .renew(
                &v1.id,
                Validity::period(date!(2030 - 01 - 01), date!(2031 - 01 - 01)),
                &cause()
            )
            .unwrap_err()
            .code(),
        ErrorCode::IllegalTransition
    );
    // Version 2 can, to version 3.
    let v3 = f.reg().change(&v2.id, &req, &cause()).unwrap();
    assert_eq!(v3.id.version(), 3);
}

#[test]
fn a_change_keeps_type_and_issuer_and_needs_a_valid_unexpired_licence() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let v1 = f.reg().issue(&req).unwrap();

    let other_ty = person_type_2();
    let mut other = f.request_today(&other_ty, &holder);
    let e = f.reg().change(&v1.id, &other, &cause()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LifecycleRequest, "{e}");
    other = req.clone();
    other.issuer = f.sampler.issuer("别的部门");
    assert_eq!(
        f.reg().change(&v1.id, &other, &cause()).unwrap_err().code(),
        ErrorCode::LifecycleRequest
    );
    let mut invalid = req.clone();
    invalid.holders.clear();
    assert_eq!(
        f.reg()
            .change(&v1.id, &invalid, &cause())
            .unwrap_err()
            .code(),
        ErrorCode::SchemaViolation
    );
    assert_eq!(
        f.reg().status(&v1.id).unwrap(),
        Status::Valid,
        "nothing changed"
    );

    f.reg().suspend(&v1.id, &cause()).unwrap();
    let e = f.reg().change(&v1.id, &req, &cause()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition, "{e}");

    // An expired licence is renewed, not changed.
    let old = f.request(&ty, &holder, date!(2012 - 01 - 01));
    let expired = f.reg().issue(&old).unwrap();
    assert_eq!(f.reg().status(&expired.id).unwrap(), Status::Expired);
    let e = f.reg().change(&expired.id, &old, &cause()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert!(e.to_string().contains("renew"), "{e}");
}

#[test]
fn a_renewal_extends_validity_in_a_new_version() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(2), "管理员", "")
        .unwrap();
    // Issued long ago: expired now, whether or not anything recorded it.
    let req = f.request(&ty, &holder, date!(2015 - 06 - 01));
    let v1 = f.reg().issue(&req).unwrap();
    let until = req.validity.until.unwrap();
    assert_eq!(f.reg().status(&v1.id).unwrap(), Status::Expired);
    assert_eq!(
        f.reg().status_record(&v1.id).unwrap().state,
        Status::Valid,
        "stored state"
    );
    let a = f.reg().lookup(&window(&holder, &[&ty], &org)).unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::Expired));

    // A renewal must end later than the current end.
    let e = f
        .reg()
        .renew(&v1.id, Validity::period(req.validity.from, until), &cause())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LifecycleRequest, "{e}");

    let today = time::OffsetDateTime::now_utc().date();
    let years = ty.validity.max_years.unwrap_or(5).min(3) as i32;
    let new_validity =
        Validity::period(today, today + time::Duration::days(365 * years as i64 - 1));
    let v2 = f.reg().renew(&v1.id, new_validity, &cause()).unwrap();
    assert_eq!(v2.id.version(), 2);
    assert!(f.verifies(&v2.document));
    let l2 = f.reg().stored_licence(&v2.id).unwrap();
    assert_eq!(l2.validity, new_validity);
    assert_eq!(l2.previous.as_ref(), Some(&v1.id));
    assert_eq!(f.reg().status(&v1.id).unwrap(), Status::Superseded);
    let a = f.reg().lookup(&window(&holder, &[&ty], &org)).unwrap();
    assert_eq!(a[0].document(), Some(&v2.document[..]));
    assert!(events(f.reg())
        .iter()
        .any(|e| e["kind"] == "renew" && e["previous"] == v1.id.as_ref()));
}

#[test]
fn a_long_term_licence_is_not_renewed() {
    let mut f = Fixture::new();
    let ty = find_type(
        zhengzhao_core::codes::HolderCategory::Person,
        false,
        zhengzhao_core::catalog::ValidityKind::LongTerm,
    );
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let v1 = f.reg().issue(&req).unwrap();
    let e = f
        .reg()
        .renew(&v1.id, Validity::long_term(date!(2030 - 01 - 01)), &cause())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LifecycleRequest, "{e}");
    assert!(e.to_string().contains("长期有效"), "{e}");
}

#[test]
fn a_change_of_holders_moves_the_current_index() {
    let mut f = Fixture::new();
    let ty = org_type();
    let a = f.organisation();
    let b = f.organisation();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(2), "管理员", "")
        .unwrap();
    let req = f.request_today(&ty, &a);
    let v1 = f.reg().issue(&req).unwrap();
    // The same licence, now held by b (the sample fields that repeat the holder follow it).
    let req_b = {
        let l = f
            .sampler
            .licence(&ty, &f.issuer, &b, "0000000001", req.issued_on)
            .unwrap();
        IssueRequest::from_licence(&l, "张科员")
    };
    let v2 = f.reg().change(&v1.id, &req_b, &cause()).unwrap();
    let for_a = f.reg().lookup(&window(&a, &[&ty], &org)).unwrap();
    assert_eq!(for_a[0].refusal(), Some(Refusal::None));
    let for_b = f.reg().lookup(&window(&b, &[&ty], &org)).unwrap();
    assert_eq!(for_b[0].id(), Some(v2.id.as_ref()));
    assert_eq!(
        f.reg().history(&a.code_type, &a.code).unwrap(),
        vec![v1.id.clone()]
    );
    assert_eq!(
        f.reg().history(&b.code_type, &b.code).unwrap(),
        vec![v2.id.clone()]
    );
}

#[test]
fn serials_are_per_issuer_and_versions_end_at_999() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let a = f.reg().issue(&req).unwrap();
    let again = f.reg().issue(&req).unwrap_err();
    assert_eq!(
        again.code(),
        ErrorCode::NumberTaken,
        "one licence per type and number"
    );
    assert!(again.to_string().contains(a.id.as_ref()), "{again}");
    let second = IssueRequest {
        number: format!("{}-2", req.number),
        ..req.clone()
    };
    let b = f.reg().issue(&second).unwrap();
    assert_eq!(a.id.serial(), "0000000001");
    assert_eq!(b.id.serial(), "0000000002");
    // A second licence of the same type for the same holder becomes the current one.
    let org = org(3);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let ans = f.reg().lookup(&window(&holder, &[&ty], &org)).unwrap();
    assert_eq!(ans[0].id(), Some(b.id.as_ref()));
    assert_eq!(
        f.reg().status(&a.id).unwrap(),
        Status::Valid,
        "the first one stays valid"
    );
    let h = f
        .reg()
        .history(&HolderCodeType::ID_NUMBER, &holder.code)
        .unwrap();
    assert_eq!(h.len(), 2);
}
