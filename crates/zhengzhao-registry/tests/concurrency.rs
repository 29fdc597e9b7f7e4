//! Threads: serials stay unique when many threads issue at once; readers see consistent
//! answers while writers issue and change state; the log has no gaps.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::*;
use zhengzhao_core::status::Status;
use zhengzhao_registry::{Cause, Refusal};

#[test]
fn serials_are_unique_when_threads_issue_at_once() {
    // The default policy: concurrent writers share WAL syncs.
    let mut f = Fixture::with_sync(zhengzhao_registry::WalSync::EveryWrite);
    let ty = person_type();
    let threads = 8;
    let per_thread = 25;
    let mut requests = Vec::new();
    for _ in 0..threads {
        let mut batch = Vec::new();
        for _ in 0..per_thread {
            let holder = f.person();
            batch.push(f.request_today(&ty, &holder));
        }
        requests.push(batch);
    }
    let reg = f.reg();
    let ids: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = requests
            .iter()
            .map(|batch| {
                s.spawn(move || {
                    batch
                        .iter()
                        .map(|r| reg.issue(r).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let total = threads * per_thread;
    assert_eq!(ids.len(), total);
    let serials: HashSet<_> = ids.iter().map(|i| i.id.serial().to_owned()).collect();
    assert_eq!(serials.len(), total, "every serial is unique");
    let expected: HashSet<_> = (1..=total).map(|n| format!("{n:010}")).collect();
    assert_eq!(serials, expected, "no serial skipped or repeated");
    // Status-list entries are unique too.
    let indexes: HashSet<_> = ids
        .iter()
        .map(|i| f.reg().status_record(&i.id).unwrap().index)
        .collect();
    assert_eq!(indexes.len(), total);
    // The log: one event per issuance, sequence numbers 0..total without gaps, each event's
    // sequence as returned.
    let events = f.reg().events(0, u64::MAX).unwrap();
    assert_eq!(events.len(), total);
    for (i, (seq, _)) in events.iter().enumerate() {
        assert_eq!(*seq, i as u64);
    }
    let seqs: HashSet<u64> = ids.iter().map(|i| i.seq).collect();
    assert_eq!(seqs.len(), total);

    // And after reopening the counters go on.
    f.reopen();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let next = f.reg().issue(&req).unwrap();
    assert_eq!(next.id.serial(), format!("{:010}", total + 1));
}

#[test]
fn readers_see_consistent_answers_while_writers_work() {
    let mut f = Fixture::new();
    let ty = person_type();
    let org = org(1);
    f.reg()
        .add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    // Holders with a licence each, and the documents they were issued.
    let mut issued = Vec::new();
    for _ in 0..20 {
        let holder = f.person();
        let req = f.request_today(&ty, &holder);
        let i = f.reg().issue(&req).unwrap();
        issued.push((holder, i));
    }
    let mut new_requests = Vec::new();
    for _ in 0..60 {
        let holder = f.person();
        new_requests.push(f.request_today(&ty, &holder));
    }
    let reg = f.reg();
    let done = Arc::new(AtomicBool::new(false));
    let cause = Cause::new("李处长", "并发测试");
    let lookups = std::thread::scope(|s| {
        let mut readers = Vec::new();
        for r in 0..3 {
            let done = done.clone();
            let issued = &issued;
            let ty = &ty;
            let org = &org;
            readers.push(s.spawn(move || {
                let mut n = 0u64;
                let mut k = r;
                while !done.load(Ordering::Relaxed) || n < 50 {
                    let (holder, i) = &issued[k % issued.len()];
                    let a = reg.lookup(&window(holder, &[ty], org)).unwrap();
                    // Either the licence as issued, or (once suspended) a refusal naming it.
                    match a[0].refusal() {
                        None => assert_eq!(a[0].document(), Some(&i.document[..])),
                        Some(Refusal::Suspended) => assert_eq!(a[0].id(), Some(i.id.as_ref())),
                        Some(other) => panic!("unexpected {other:?}"),
                    }
                    n += 1;
                    k += 7;
                }
                n
            }));
        }
        let writer = s.spawn(|| {
            for req in &new_requests {
                reg.issue(req).unwrap();
            }
        });
        let suspender = s.spawn(|| {
            for (_, i) in issued.iter().step_by(2) {
                reg.suspend(&i.id, &cause).unwrap();
            }
        });
        writer.join().unwrap();
        suspender.join().unwrap();
        done.store(true, Ordering::Relaxed);
        readers.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
    });
    assert!(lookups >= 150);
    for (k, (_, i)) in issued.iter().enumerate() {
        let expected = if k % 2 == 0 {
            Status::Suspended
        } else {
            Status::Valid
        };
        assert_eq!(f.reg().status(&i.id).unwrap(), expected);
    }
    // Every event is there, in one gapless sequence: grant + 20 + 60 issues + 10 suspensions
    // + the lookups.
    let n = f.reg().log_len();
    assert_eq!(n, 1 + 20 + 60 + 10 + lookups);
    let events = f.reg().events(0, u64::MAX).unwrap();
    assert_eq!(events.len() as u64, n);
    assert!(events
        .iter()
        .enumerate()
        .all(|(i, (seq, _))| *seq == i as u64));
}
