//! Builds and runs the C tests, the C++ translation unit and the example program against
//! libzhengzhao, each also under valgrind memcheck (`--leak-check=full --error-exitcode=1`).
//!
//! The fixture (an authority folder, licences to issue, a registry for the example) is made
//! here with the Rust library; the C programs do everything else through the ABI. gcc, g++,
//! pkg-config and valgrind come from `scripts/env.sh`; without valgrind the memcheck runs are
//! skipped with a note, unless `ZZ_REQUIRE_VALGRIND=1` (as `scripts/test` sets) makes that a
//! failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use zhengzhao_core::catalog::{Catalog, ValidityKind};
use zhengzhao_core::codes::HolderCategory;
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::sample::Sampler;
use zhengzhao_registry::{CachedSigners, IssueRequest, Options, Registry, WalSync};

const BUSINESS: &str = "11100000MB0143028R001"; // 营业执照
const FOOD: &str = "11100000MB0143028R104"; // 食品经营许可证
const PROPERTY: &str = "11100000MB03271699001"; // 不动产权证书 (needs consent)
const PERSONS: usize = 12;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder with libzhengzhao.so and .a: the profile folder of this test's target.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for d in [deps.parent().unwrap(), deps] {
        if d.join("libzhengzhao.so").is_file() && d.join("libzhengzhao.a").is_file() {
            return d.to_path_buf();
        }
    }
    panic!("libzhengzhao.so and .a not found beside {}", exe.display());
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The fixture folder the C programs read (see `tests/util.h`).
fn fixture(dir: &Path) {
    let today = time::OffsetDateTime::now_utc().date();
    let mut s = Sampler::new(2025);
    let issuer = s.issuer("杭州市西湖区市场监督管理局");
    let authority = AuthorityDir::init(
        &dir.join("authority"),
        "浙江省电子证照根CA（测试）",
        &issuer.name,
        &issuer.code,
        None,
        Algorithm::Ed25519,
        10,
    )
    .unwrap();
    std::fs::copy(authority.root_certificate_path(), dir.join("root.pem")).unwrap();
    let signers: String = authority
        .signers()
        .unwrap()
        .iter()
        .map(|(_, c, _)| c.to_pem())
        .collect();
    write(&dir.join("signer.pem"), &signers);
    let other = AuthorityDir::init(
        &dir.join("other-authority"),
        "另一个根CA",
        &issuer.name,
        &issuer.code,
        None,
        Algorithm::Ed25519,
        10,
    )
    .unwrap();
    std::fs::copy(other.root_certificate_path(), dir.join("other-root.pem")).unwrap();

    let catalog = Catalog::builtin();
    let company = s.organisation();
    let business = s
        .licence(
            catalog.get_str(BUSINESS).unwrap(),
            &issuer,
            &company,
            "2025000001",
            today,
        )
        .unwrap();
    let food = s
        .licence(
            catalog.get_str(FOOD).unwrap(),
            &issuer,
            &company,
            "2025000002",
            today,
        )
        .unwrap();
    write(&dir.join("company.json"), &business.to_json());
    write(&dir.join("food.json"), &food.to_json());
    write(&dir.join("holder.txt"), &company.code);
    write(&dir.join("business.txt"), BUSINESS);
    write(&dir.join("food.txt"), FOOD);
    let org = s.issuer("杭州市西湖区行政服务中心").code;
    write(&dir.join("org.txt"), org.as_ref());

    let person_type = catalog
        .iter()
        .find(|t| {
            t.holder == HolderCategory::Person
                && !t.consent
                && t.validity.kind == ValidityKind::Period
        })
        .unwrap()
        .clone();
    write(&dir.join("person-type.txt"), person_type.code.as_ref());
    let mut holders = String::new();
    for i in 0..PERSONS {
        let p = s.person();
        let l = s
            .licence(&person_type, &issuer, &p, &format!("20250{i:05}"), today)
            .unwrap();
        write(&dir.join(format!("persons/{i}.json")), &l.to_json());
        holders.push_str(&p.code);
        holders.push('\n');
    }
    write(&dir.join("persons/holders.txt"), &holders);

    // The example's registry: the company's 营业执照 and 食品经营许可证, and the service
    // centre granted the three types of the item's materials.
    let reg = Registry::create(
        &dir.join("window-registry"),
        Options::new()
            .sync(WalSync::OsBuffered)
            .signers(Arc::new(CachedSigners::new(authority.clone()))),
    )
    .unwrap();
    for l in [&business, &food] {
        reg.issue(&IssueRequest::from_licence(l, "发证员")).unwrap();
    }
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(365);
    for t in [BUSINESS, FOOD, PROPERTY] {
        let t = zhengzhao_core::identifier::TypeCode::parse(t).unwrap();
        reg.add_grant(&org, &t, until, "管理员", "").unwrap();
    }
    std::fs::create_dir_all(dir.join("work")).unwrap();

    // Sealed OFD files from the vectors, and the signer certificate of the bare signature.
    let gm = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/gm");
    std::fs::create_dir_all(dir.join("ofd")).unwrap();
    for (from, to) in [
        ("ofd/1.ofd", "1.ofd"),
        ("ofd/DigitalSign.ofd", "DigitalSign.ofd"),
        ("certs/ofdrw-test-ca/user.cer", "user.cer"),
        ("certs/generated/root.pem", "sm2-root.pem"),
        ("certs/generated/ee.pem", "sm2-signer.pem"),
        ("../licences/sealed-licence.ofd", "sealed-licence.ofd"),
    ] {
        std::fs::copy(gm.join(from), dir.join("ofd").join(to)).unwrap();
    }
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    eprint!("{stdout}");
    stdout
}

const WARNINGS: [&str; 4] = ["-Wall", "-Wextra", "-Werror", "-g"];

fn valgrind() -> bool {
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("ZZ_REQUIRE_VALGRIND").is_none_or(|v| v != "1"),
            "valgrind is required (ZZ_REQUIRE_VALGRIND=1) but not installed"
        );
        eprintln!("note: valgrind is not installed: the memcheck runs are skipped");
    }
    found
}

/// Runs a program, then again under memcheck, calling `reset` before each run.
fn run_checked(memcheck: bool, exe: &Path, args: &[&Path], what: &str, reset: &dyn Fn()) -> String {
    reset();
    let out = run(Command::new(exe).args(args), what);
    if memcheck {
        reset();
        let suppressions = crate_dir().join("tests/valgrind.supp");
        run(
            Command::new("valgrind")
                .args([
                    "--quiet",
                    "--leak-check=full",
                    "--errors-for-leak-kinds=definite,indirect,possible",
                    "--error-exitcode=1",
                    "--track-fds=no",
                ])
                .arg(format!("--suppressions={}", suppressions.display()))
                .arg(exe)
                .args(args),
            &format!("{what} under valgrind"),
        );
    }
    out
}

#[test]
fn c_programs_pass_and_run_clean_under_valgrind() {
    let lib = lib_dir();
    let include = crate_dir().join("include");
    let tmp = tempfile::tempdir().unwrap();
    // ZZ_C_TEST_KEEP=1 keeps the fixture and the programs, to debug them.
    let tmp_path = if std::env::var_os("ZZ_C_TEST_KEEP").is_some() {
        let p = tmp.keep();
        eprintln!("fixture and programs kept in {}", p.display());
        p
    } else {
        tmp.path().to_path_buf()
    };
    let tmp = &tmp_path;
    let fix = tmp.join("fixture");
    fixture(&fix);
    let bin = tmp.join("bin");
    std::fs::create_dir_all(&bin).unwrap();

    // The header on its own, as C99 and as C++.
    let header = include.join("zhengzhao.h");
    run(
        Command::new("gcc")
            .args(["-std=c99", "-pedantic", "-fsyntax-only", "-x", "c"])
            .args(WARNINGS)
            .arg(&header),
        "the header as C99",
    );
    run(
        Command::new("g++")
            .args(["-std=c++11", "-pedantic", "-fsyntax-only", "-x", "c++"])
            .args(WARNINGS)
            .arg(&header),
        "the header as C++",
    );

    let rpath = format!("-Wl,-rpath,{}", lib.display());
    let c = |src: &str, name: &str, extra: &[&str]| -> PathBuf {
        let exe = bin.join(name);
        run(
            Command::new("gcc")
                .arg("-std=c99")
                .args(WARNINGS)
                .arg("-I")
                .arg(&include)
                .arg(crate_dir().join(src))
                .arg("-o")
                .arg(&exe)
                .arg("-L")
                .arg(&lib)
                .arg("-lzhengzhao")
                .arg(&rpath)
                .args(extra),
            &format!("compiling {src}"),
        );
        exe
    };
    let api = c("tests/test_api.c", "test_api", &[]);
    let concurrent = c("tests/test_concurrent.c", "test_concurrent", &["-pthread"]);
    let processes = c("tests/test_processes.c", "test_processes", &[]);

    // The C++ translation unit, linked with the shared library and with the static one.
    let cpp = bin.join("test_cpp");
    run(
        Command::new("g++")
            .arg("-std=c++11")
            .args(WARNINGS)
            .arg("-I")
            .arg(&include)
            .arg(crate_dir().join("tests/test_cpp.cpp"))
            .arg("-o")
            .arg(&cpp)
            .arg("-L")
            .arg(&lib)
            .arg("-lzhengzhao")
            .arg(&rpath),
        "compiling tests/test_cpp.cpp",
    );
    let cpp_static = bin.join("test_cpp_static");
    run(
        Command::new("g++")
            .arg("-std=c++11")
            .args(WARNINGS)
            .arg("-I")
            .arg(&include)
            .arg(crate_dir().join("tests/test_cpp.cpp"))
            .arg("-o")
            .arg(&cpp_static)
            .arg(lib.join("libzhengzhao.a"))
            // Without the debug information of the static library (hundreds of MB in a
            // debug build).
            .args(["-Wl,--strip-debug", "-lpthread", "-ldl", "-lm"]),
        "linking tests/test_cpp.cpp with libzhengzhao.a",
    );

    // The example, built the way a C project builds it: with pkg-config.
    let pc_dir = tmp.join("pkgconfig");
    write(
        &pc_dir.join("zhengzhao.pc"),
        &std::fs::read_to_string(crate_dir().join("zhengzhao.pc.in"))
            .unwrap()
            .replace("@PREFIX@", "/unused")
            .replace("@LIBDIR@", &lib.display().to_string())
            .replace("@INCLUDEDIR@", &include.display().to_string())
            .replace("@VERSION@", env!("CARGO_PKG_VERSION")),
    );
    let flags = run(
        Command::new("pkg-config")
            .env("PKG_CONFIG_PATH", &pc_dir)
            .args(["--cflags", "--libs", "zhengzhao"]),
        "pkg-config",
    );
    let window = bin.join("window");
    run(
        Command::new("gcc")
            .arg("-std=c99")
            .args(WARNINGS)
            .arg(crate_dir().join("examples/window.c"))
            .arg("-o")
            .arg(&window)
            .args(flags.split_whitespace())
            .arg(&rpath),
        "compiling examples/window.c",
    );

    let memcheck = valgrind();
    // The C tests make their registries anew in work/ each run.
    let reset = || {
        let _ = std::fs::remove_dir_all(fix.join("work"));
        std::fs::create_dir_all(fix.join("work")).unwrap();
    };
    run_checked(memcheck, &cpp, &[], "test_cpp", &reset);
    run_checked(memcheck, &cpp_static, &[], "test_cpp (static)", &reset);
    run_checked(memcheck, &api, &[&fix], "test_api", &reset);
    run_checked(memcheck, &concurrent, &[&fix], "test_concurrent", &reset);
    run_checked(memcheck, &processes, &[&fix], "test_processes", &reset);
    let holder = std::fs::read_to_string(fix.join("holder.txt")).unwrap();
    let org = std::fs::read_to_string(fix.join("org.txt")).unwrap();
    let example_args: Vec<PathBuf> = vec![
        fix.join("window-registry"),
        fix.join("root.pem"),
        fix.join("signer.pem"),
        PathBuf::from(org),
        PathBuf::from("001"),
        PathBuf::from(holder),
    ];
    let args: Vec<&Path> = example_args.iter().map(PathBuf::as_path).collect();
    let out = run_checked(memcheck, &window, &args, "examples/window", &|| ());
    assert!(out.contains("✓ 营业执照"), "{out}");
    assert!(out.contains("✓ 原食品经营许可证"), "{out}");
    assert!(out.contains("✗ 经营场所不动产权证书"), "{out}");
    assert!(out.contains("须持证人授权同意"), "{out}");
    assert!(out.contains("无对应的电子证照类型"), "{out}");
    assert!(out.contains("2 of 4 materials spared"), "{out}");
    assert!(out.contains(": valid"), "{out}");
}
