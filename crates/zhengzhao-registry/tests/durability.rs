//! A licence whose issue call has returned survives `kill -9` of the process that issued it.
//!
//! The test runs this test binary again as a child process (the ignored test below), which
//! issues licences one after another and prints each identifier once `issue` has returned. The
//! parent kills it with SIGKILL mid-stream, reopens the registry and checks every acknowledged
//! licence and the log.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use common::{person_type, Fixture};
use zhengzhao_core::identifier::LicenceId;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::merkle::{leaf_hash, MemoryTree};
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::status::Status;
use zhengzhao_registry::{CachedSigners, IssueRequest, Options, Registry, WalSync};

const CHILD_DIR: &str = "ZZ_DURABILITY_CHILD_DIR";
const ACK: &str = "ACK ";

#[test]
#[ignore = "the child process of acknowledged_licences_survive_kill_9, which runs it"]
fn durability_child_issues_until_killed() {
    let dir = PathBuf::from(std::env::var(CHILD_DIR).expect("run by the parent test"));
    let authority = AuthorityDir::open(&dir.join("authority")).unwrap();
    let registry = Registry::open(
        &dir.join("registry"),
        Options::new()
            .sync(WalSync::EveryWrite)
            .signers(Arc::new(CachedSigners::new(authority))),
    )
    .unwrap();
    // The fixture's issuer: the same seed and name give the same department.
    let mut sampler = Sampler::new(42);
    let issuer = sampler.issuer("杭州市西湖区市场监督管理局");
    // Licences from another seed than the fixture's, whose numbers the parent issues after.
    let mut sampler = Sampler::new(7);
    let ty = person_type();
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
        .date();
    loop {
        let holder = sampler.person();
        let l = sampler
            .licence(&ty, &issuer, &holder, "0000000001", today)
            .unwrap();
        let issued = registry
            .issue(&IssueRequest::from_licence(&l, "张科员"))
            .unwrap();
        println!("{ACK}{}", issued.id);
    }
}

#[test]
fn acknowledged_licences_survive_kill_9() {
    let mut f = Fixture::with_sync(WalSync::EveryWrite);
    let before = f.reg().log_len();
    drop(f.registry.take());

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability_child_issues_until_killed",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, f.tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        // Only whole lines count: a line cut by the kill was never acknowledged.
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(id) = line.strip_suffix('\n').and_then(|l| l.strip_prefix(ACK)) {
                if tx.send(id.to_owned()).is_err() {
                    break;
                }
            }
            line.clear();
        }
    });
    let mut acked = Vec::new();
    while acked.len() < 150 {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(id) => acked.push(id),
            Err(e) => {
                let _ = child.kill();
                panic!(
                    "the child stopped acknowledging after {} licences: {e}",
                    acked.len()
                );
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed, not finished");
    reader.join().unwrap();
    acked.extend(rx.try_iter());

    f.reopen();
    let r = f.reg();
    for id in &acked {
        let id = LicenceId::parse(id).unwrap();
        let doc = r
            .document(&id)
            .unwrap_or_else(|e| panic!("{id} was acknowledged: {e}"));
        assert!(f.verifies(&doc), "{id} verifies");
        assert_eq!(r.status(&id).unwrap(), Status::Valid);
    }
    // The log: no gaps, every acknowledged issuance in it, and the stored tree is the tree of
    // the stored events.
    let len = r.log_len();
    assert!(len >= before + acked.len() as u64);
    let events = r.events(0, len).unwrap();
    assert_eq!(events.len() as u64, len);
    assert!(events
        .iter()
        .enumerate()
        .all(|(i, (seq, _))| *seq == i as u64));
    let issued: std::collections::HashSet<String> = events
        .iter()
        .filter_map(|(_, e)| {
            let v: serde_json::Value = serde_json::from_slice(e).unwrap();
            (v["kind"] == "issue").then(|| v["id"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(acked.iter().all(|id| issued.contains(id)));
    let tree = MemoryTree::from_leaves(events.iter().map(|(_, e)| e));
    assert_eq!(r.log_root(len).unwrap(), tree.root());
    let last = len - 1;
    r.inclusion_proof(last, len)
        .unwrap()
        .verify(&leaf_hash(&events[last as usize].1), &tree.root())
        .unwrap();
    // And the registry goes on issuing where the child stopped.
    let ty = person_type();
    let holder = f.sampler.person();
    let req = f.request_today(&ty, &holder);
    let next = f.reg().issue(&req).unwrap();
    assert!(!acked.contains(&next.id.to_string()));
}
