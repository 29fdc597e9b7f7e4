//! The lookup path (用证): every answer and refusal, grants and consent, the batch entry point,
//! malformed requests, and the use events.

mod common;

use common::*;
use time::macros::date;
use zhengzhao_core::codes::HolderCodeType;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::{Answer, Cause, Refusal, WindowRequest};

/// A change to a well-formed window request.
type Mutation = Box<dyn Fn(&mut WindowRequest)>;

fn cause() -> Cause {
    Cause::new("李处长", "决定书 2024-001")
}

#[test]
fn every_state_gives_its_answer() {
    let mut f = Fixture::new();
    let ty = person_type();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(2), "管理员", "")
        .unwrap();
    let cases: &[(Option<&str>, Refusal)] = &[
        (Some("suspend"), Refusal::Suspended),
        (Some("revoke"), Refusal::Revoked),
        (Some("withdraw"), Refusal::Withdrawn),
        (Some("cancel"), Refusal::Cancelled),
        (Some("transfer_out"), Refusal::TransferredOut),
    ];
    for (step, refusal) in cases {
        let holder = f.person();
        let req = f.request_today(&ty, &holder);
        let id = f.reg().issue(&req).unwrap().id;
        let r = f.reg();
        match *step {
            Some("suspend") => r.suspend(&id, &cause()),
            Some("revoke") => r.revoke(&id, &cause()),
            Some("withdraw") => r.withdraw(&id, &cause()),
            Some("cancel") => r.cancel(&id, &cause()),
            Some("transfer_out") => r.transfer_out(&id, &cause()),
            _ => unreachable!(),
        }
        .unwrap();
        let a = r.lookup(&window(&holder, &[&ty], &org)).unwrap();
        assert_eq!(
            a,
            vec![Answer::Refused {
                type_code: ty.code.clone(),
                reason: *refusal,
                id: Some(id.to_string())
            }]
        );
    }

    // None: a holder without licences.
    let nobody = f.person();
    let a = f.reg().lookup(&window(&nobody, &[&ty], &org)).unwrap();
    assert_eq!(
        a,
        vec![Answer::Refused {
            type_code: ty.code.clone(),
            reason: Refusal::None,
            id: None
        }]
    );

    // Expired, computed at read time; and not yet valid.
    let holder = f.person();
    let old = f.request(&ty, &holder, date!(2014 - 03 - 01));
    let id = f.reg().issue(&old).unwrap().id;
    let a = f.reg().lookup(&window(&holder, &[&ty], &org)).unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::Expired));
    assert_eq!(a[0].id(), Some(id.as_ref()));
    let future = f.person();
    let later = f.request(&ty, &future, date!(2099 - 01 - 01));
    f.reg().issue(&later).unwrap();
    let a = f.reg().lookup(&window(&future, &[&ty], &org)).unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::NotYetValid));

    // And a suspended licence given back is served again.
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();
    f.reg().suspend(&issued.id, &cause()).unwrap();
    f.reg().resume(&issued.id, &cause()).unwrap();
    let a = f.reg().lookup(&window(&holder, &[&ty], &org)).unwrap();
    assert_eq!(a[0].document(), Some(&issued.document[..]));
}

#[test]
fn a_valid_licence_is_served_as_the_exact_stored_bytes() {
    let mut f = Fixture::new();
    let ty = person_type();
    let ty2 = person_type_2();
    let org = org(1);
    for t in [&ty, &ty2] {
        f.reg()
            .add_grant(&org, &t.code, years_ahead(1), "管理员", "")
            .unwrap();
    }
    let holder = f.person();
    let r1 = f.request_today(&ty, &holder);
    let r2 = f.request_today(&ty2, &holder);
    let i1 = f.reg().issue(&r1).unwrap();
    let i2 = f.reg().issue(&r2).unwrap();
    // Asked in the other order: answers follow the request's order.
    let a = f
        .reg()
        .lookup(&window(&holder, &[&ty2, &ty], &org))
        .unwrap();
    assert_eq!(
        a,
        vec![
            Answer::Licence {
                type_code: ty2.code.clone(),
                id: i2.id.to_string(),
                document: i2.document.clone()
            },
            Answer::Licence {
                type_code: ty.code.clone(),
                id: i1.id.to_string(),
                document: i1.document.clone()
            },
        ]
    );
    assert!(f.verifies(a[0].document().unwrap()));
    // The lower-case x of an identity number finds the same holder.
    let mut lower = window(&holder, &[&ty], &org);
    lower.holder_code = holder.code.to_lowercase();
    assert_eq!(
        f.reg().lookup(&lower).unwrap()[0].id(),
        Some(i1.id.as_ref())
    );
}

#[test]
fn grants_decide_first_and_say_nothing_about_the_licence() {
    let mut f = Fixture::new();
    let ty = person_type();
    let ty2 = person_type_2();
    let org_a = org(1);
    let org_b = org(2);
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();

    // No grant at all.
    let a = f.reg().lookup(&window(&holder, &[&ty], &org_a)).unwrap();
    assert_eq!(
        a,
        vec![Answer::Refused {
            type_code: ty.code.clone(),
            reason: Refusal::NotAuthorised,
            id: None
        }]
    );

    // A grant of another type, or to another organisation, does not count.
    f.reg()
        .add_grant(&org_a, &ty2.code, years_ahead(1), "管理员", "")
        .unwrap();
    f.reg()
        .add_grant(&org_b, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let a = f
        .reg()
        .lookup(&window(&holder, &[&ty, &ty2], &org_a))
        .unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::NotAuthorised));
    assert_eq!(a[1].refusal(), Some(Refusal::None));
    let a = f.reg().lookup(&window(&holder, &[&ty], &org_b)).unwrap();
    assert_eq!(a[0].id(), Some(issued.id.as_ref()));

    // Expired: judged at the time of the request.
    let at = years_ahead(2);
    let a = f
        .reg()
        .lookup_at(&window(&holder, &[&ty], &org_b), at)
        .unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::NotAuthorised));

    // Revoked.
    f.reg()
        .revoke_grant(&org_b, &ty.code, "管理员", "到期前收回")
        .unwrap();
    let a = f.reg().lookup(&window(&holder, &[&ty], &org_b)).unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::NotAuthorised));
    let e = f
        .reg()
        .revoke_grant(&org_b, &ty.code, "管理员", "")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::GrantNotFound);

    // Listing.
    let all = f.reg().grants(None).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].org.clone(), all[0].type_code.clone()),
        (org_a.clone(), ty2.code.clone())
    );
    assert!(f.reg().grants(Some(&org_b)).unwrap().is_empty());
    let ev = events(f.reg());
    assert!(ev
        .iter()
        .any(|e| e["kind"] == "grant_add" && e["org"] == org_b.as_ref()));
    assert!(ev
        .iter()
        .any(|e| e["kind"] == "grant_revoke" && e["org"] == org_b.as_ref()));
}

#[test]
fn malformed_grants_are_refused() {
    let f = Fixture::new();
    let ty = person_type();
    let org = org(1);
    let past = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    let e = f
        .reg()
        .add_grant(&org, &ty.code, past, "管理员", "")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::GrantRequest, "{e}");
    let e = f
        .reg()
        .add_grant(&org, &ty.code, years_ahead(1), "", "")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::GrantRequest, "{e}");
    let e = f
        .reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", &"x".repeat(201))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::GrantRequest, "{e}");
    let unknown = zhengzhao_core::identifier::TypeCode::parse("11100000MB03271699999").unwrap();
    let e = f
        .reg()
        .add_grant(&org, &unknown, years_ahead(1), "管理员", "")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CatalogUnknownType, "{e}");
    assert_eq!(f.reg().log_len(), 0);
}

#[test]
fn consent_is_required_where_the_catalogue_says_so() {
    let mut f = Fixture::new();
    let ty = consent_type();
    let plain = person_type();
    let org_a = org(1);
    let org_b = org(2);
    for o in [&org_a, &org_b] {
        f.reg()
            .add_grant(o, &ty.code, years_ahead(2), "管理员", "")
            .unwrap();
    }
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();

    let mut w = window(&holder, &[&ty], &org_a);
    let a = f.reg().lookup(&w).unwrap();
    assert_eq!(
        a,
        vec![Answer::Refused {
            type_code: ty.code.clone(),
            reason: Refusal::ConsentMissing,
            id: None
        }]
    );

    let code_type = HolderCodeType::ID_NUMBER;
    f.reg()
        .add_consent(
            &code_type,
            &holder.code,
            &org_a,
            &ty.code,
            "SQ-2024-0001",
            years_ahead(1),
        )
        .unwrap();
    // Without the reference, or with another one: still missing.
    let a = f.reg().lookup(&w).unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::ConsentMissing));
    w.context.consent = Some("SQ-2024-9999".into());
    assert_eq!(
        f.reg().lookup(&w).unwrap()[0].refusal(),
        Some(Refusal::ConsentMissing)
    );
    w.context.consent = Some("SQ-2024-0001".into());
    let a = f.reg().lookup(&w).unwrap();
    assert_eq!(a[0].document(), Some(&issued.document[..]));

    // The consent is for org_a only, and it ends.
    let mut wb = window(&holder, &[&ty], &org_b);
    wb.context.consent = Some("SQ-2024-0001".into());
    assert_eq!(
        f.reg().lookup(&wb).unwrap()[0].refusal(),
        Some(Refusal::ConsentMissing)
    );
    let a = f
        .reg()
        .lookup_at(&w, years_ahead(1) + time::Duration::days(2))
        .unwrap();
    assert_eq!(a[0].refusal(), Some(Refusal::ConsentMissing));

    // Withdrawn.
    f.reg()
        .revoke_consent(&code_type, &holder.code, &org_a, &ty.code)
        .unwrap();
    assert_eq!(
        f.reg().lookup(&w).unwrap()[0].refusal(),
        Some(Refusal::ConsentMissing)
    );
    let e = f
        .reg()
        .revoke_consent(&code_type, &holder.code, &org_a, &ty.code)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::GrantNotFound);

    // Consent is recorded only for types that require it, and must be well formed.
    let e = f
        .reg()
        .add_consent(
            &code_type,
            &holder.code,
            &org_a,
            &plain.code,
            "SQ-1",
            years_ahead(1),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConsentNotRequired, "{e}");
    let e = f
        .reg()
        .add_consent(
            &code_type,
            &holder.code,
            &org_a,
            &ty.code,
            "",
            years_ahead(1),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::GrantRequest, "{e}");
    let e = f
        .reg()
        .add_consent(&code_type, "123", &org_a, &ty.code, "SQ-1", years_ahead(1))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdNumberFormat, "{e}");
    // Consent events name the holder by hash only.
    for e in events(f.reg()) {
        assert!(!e.to_string().contains(&holder.code));
    }
}

#[test]
fn every_use_is_logged_with_its_context_and_answers() {
    let mut f = Fixture::new();
    let ty = person_type();
    let ty2 = person_type_2();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();
    let before = f.reg().log_len();
    f.reg()
        .lookup(&window(&holder, &[&ty, &ty2], &org))
        .unwrap();
    assert_eq!(f.reg().log_len(), before + 1);
    let ev = events(f.reg()).pop().unwrap();
    let ctx = context(&org);
    assert_eq!(ev["kind"], "use");
    assert_eq!(ev["org"], org.as_ref());
    assert_eq!(ev["operator"], ctx.operator);
    assert_eq!(ev["item"], ctx.item);
    assert_eq!(ev["case"], ctx.case);
    assert_eq!(ev["reason"], ctx.reason);
    assert_eq!(
        ev["holder"],
        hex::encode(
            f.reg()
                .holder_hash(&holder.code_type, &holder.code)
                .unwrap()
        )
    );
    assert_eq!(ev["answers"][0]["type"], ty.code.as_ref());
    assert_eq!(ev["answers"][0]["answer"], "valid");
    assert_eq!(ev["answers"][0]["id"], issued.id.as_ref());
    assert_eq!(ev["answers"][1]["answer"], "not_authorised");
    assert!(ev["answers"][1].get("id").is_none());
    assert!(
        !ev.to_string().contains(&holder.code),
        "no plaintext holder code in the log"
    );
}

#[test]
fn malformed_requests_are_refused_and_not_logged() {
    let mut f = Fixture::new();
    let ty = person_type();
    let org = org(1);
    let holder = f.person();
    let good = window(&holder, &[&ty], &org);
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "context.reason",
            Box::new(|w: &mut WindowRequest| w.context.reason = "长".repeat(201)),
        ),
        (
            "context.reason",
            Box::new(|w: &mut WindowRequest| w.context.reason = "   ".into()),
        ),
        (
            "context.org",
            Box::new(|w: &mut WindowRequest| w.context.org = "91330000XXXX".into()),
        ),
        (
            "context.operator",
            Box::new(|w: &mut WindowRequest| w.context.operator = String::new()),
        ),
        (
            "context.item",
            Box::new(|w: &mut WindowRequest| w.context.item = "x".repeat(65)),
        ),
        (
            "context.case",
            Box::new(|w: &mut WindowRequest| w.context.case = "a\nb".into()),
        ),
        (
            "context.consent",
            Box::new(|w: &mut WindowRequest| w.context.consent = Some(String::new())),
        ),
        (
            "holder_code_type",
            Box::new(|w: &mut WindowRequest| w.holder_code_type = "1111".into()),
        ),
        (
            "holder_code",
            Box::new(|w: &mut WindowRequest| w.holder_code = "110105194912310021".into()),
        ),
        ("types", Box::new(|w: &mut WindowRequest| w.types.clear())),
        (
            "types",
            Box::new(|w: &mut WindowRequest| w.types = vec!["nope".into()]),
        ),
        (
            "types",
            Box::new(|w: &mut WindowRequest| w.types = vec!["11100000MB03271699999".into()]),
        ),
        (
            "types",
            Box::new(|w: &mut WindowRequest| {
                let t = w.types[0].clone();
                w.types.push(t)
            }),
        ),
        (
            "types",
            Box::new(|w: &mut WindowRequest| w.types = vec![w.types[0].clone(); 65]),
        ),
    ];
    for (field, mutate) in &cases {
        let mut w = good.clone();
        mutate(&mut w);
        let e = f.reg().lookup(&w).unwrap_err();
        assert_eq!(e.code(), ErrorCode::WindowRequest, "{field}: {e}");
        assert!(e.to_string().contains(field), "{field}: {e}");
    }
    // 200 characters of reason are fine.
    let mut w = good.clone();
    w.context.reason = "长".repeat(200);
    f.reg().lookup(&w).unwrap();
    assert_eq!(
        f.reg().log_len(),
        1,
        "only the well-formed request was logged"
    );
}

#[test]
fn many_requests_at_once() {
    let mut f = Fixture::new();
    let ty = person_type();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let mut requests = Vec::new();
    let mut expected = Vec::new();
    for i in 0..20 {
        let holder = f.person();
        if i % 3 == 0 {
            expected.push(None);
        } else {
            let req = f.request_today(&ty, &holder);
            expected.push(Some(f.reg().issue(&req).unwrap()));
        }
        requests.push(window(&holder, &[&ty], &org));
    }
    let mut bad = requests[5].clone();
    bad.context.reason = String::new();
    requests.push(bad);
    let before = f.reg().log_len();
    let out = f.reg().lookup_many(&requests).unwrap();
    assert_eq!(out.len(), 21);
    for (i, exp) in expected.iter().enumerate() {
        let a = out[i].as_ref().unwrap();
        match exp {
            None => assert_eq!(a[0].refusal(), Some(Refusal::None), "{i}"),
            Some(issued) => assert_eq!(a[0].document(), Some(&issued.document[..]), "{i}"),
        }
    }
    assert_eq!(
        out[20].as_ref().unwrap_err().code(),
        ErrorCode::WindowRequest
    );
    assert_eq!(f.reg().log_len(), before + 20);
    // Each answer equals the single lookup's answer.
    for (i, r) in requests.iter().take(20).enumerate() {
        assert_eq!(&f.reg().lookup(r).unwrap(), out[i].as_ref().unwrap());
    }
    assert!(f.reg().lookup_many(&[]).unwrap().is_empty());
}

#[test]
fn borrowed_answers_are_the_stored_bytes_and_logged_like_owned_ones() {
    let mut f = Fixture::new();
    let org = org(1);
    let ty = person_type();
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();
    let w = window(&holder, &[&ty], &org);
    let now = time::OffsetDateTime::now_utc();
    let before = f.reg().log_len();
    // Unlogged: the same answer as the owned call, nothing written.
    let borrowed = f
        .reg()
        .answer_with(&w, now, |a| {
            assert_eq!(a[0].document(), Some(&issued.document[..]));
            a.iter().map(|a| a.to_owned_answer()).collect::<Vec<_>>()
        })
        .unwrap();
    let owned = f
        .reg()
        .answer_many_at(std::slice::from_ref(&w), now)
        .unwrap();
    assert_eq!(&borrowed, owned[0].as_ref().unwrap());
    assert_eq!(f.reg().log_len(), before);
    // Logged: one use event, naming the licence given.
    let n = f
        .reg()
        .lookup_with(&w, now, |a| {
            a.iter().filter(|a| a.document().is_some()).count()
        })
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(f.reg().log_len(), before + 1);
    let last = events(f.reg()).pop().unwrap();
    assert_eq!(last["kind"], "use");
    assert_eq!(last["answers"][0]["id"], issued.id.as_ref());
    // A malformed request is refused before anything is read or logged.
    let mut bad = w.clone();
    bad.context.reason = String::new();
    assert!(f.reg().lookup_with(&bad, now, |_| ()).is_err());
    assert_eq!(f.reg().log_len(), before + 1);
}

#[test]
fn borrowed_answers_of_many_requests_match_the_owned_ones() {
    let mut f = Fixture::new();
    let org = org(1);
    let ty = person_type();
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();
    let good = window(&holder, &[&ty], &org);
    let mut bad = good.clone();
    bad.context.reason = String::new();
    let requests = [good.clone(), bad, good];
    let now = time::OffsetDateTime::now_utc();
    let before = f.reg().log_len();
    let owned = f.reg().answer_many_at(&requests, now).unwrap();
    let borrowed = f
        .reg()
        .answer_many_with(&requests, now, |rows| {
            assert_eq!(rows.len(), 3);
            assert_eq!(
                rows[0].as_ref().unwrap()[0].document(),
                Some(&issued.document[..])
            );
            rows.iter()
                .map(|r| match r {
                    Ok(a) => Ok(a.iter().map(|a| a.to_owned_answer()).collect::<Vec<_>>()),
                    Err(e) => Err(e.clone()),
                })
                .collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(borrowed, owned);
    assert_eq!(f.reg().log_len(), before);
    // Logged: one use event per well-formed request, in one write.
    let given = f
        .reg()
        .lookup_many_with(&requests, now, |rows| {
            rows.iter().filter(|r| r.is_ok()).count()
        })
        .unwrap();
    assert_eq!(given, 2);
    assert_eq!(f.reg().log_len(), before + 2);
}
