//! Key files and the authority folder: the only module of zhengzhao-core that touches the file system.
//!
//! - [`save_key`] and [`load_key`]: a private key is a PKCS#8 PEM file that only its owner may
//!   access (mode 0600). It is created with that mode from the start, never overwrites an
//!   existing file, and appears whole or not at all (written under a temporary name, then linked
//!   into place). A key file the group or others may access is refused when loading.
//! - [`AuthorityDir`]: the folder of a certification authority, as `zhengzhao authority` makes it:
//!
//! ```text
//! root.pem                         the root CA certificate (give it to verifiers)
//! root.key                         the root CA key (0600)
//! signers/<统一社会信用代码>/1.pem   the department's first signing certificate
//! signers/<统一社会信用代码>/1.key   its key (0600)
//! signers/<统一社会信用代码>/2.pem   the next one (key rotation), and so on
//! ```
//!
//! Private keys stay in this folder: they never go into the registry database.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};
use time::{Date, Duration, OffsetDateTime};

use crate::codes::Uscc;
use crate::identifier::TypeCode;
use crate::keys::{Algorithm, KeyError, SigningKey};
use crate::pki::{self, Certificate, TrustError};
use crate::Error;

/// The root certificate's file name in an authority folder.
pub const ROOT_CERT_FILE: &str = "root.pem";
/// The root key's file name in an authority folder.
pub const ROOT_KEY_FILE: &str = "root.key";
/// The folder of the signing certificates in an authority folder.
pub const SIGNERS_DIR: &str = "signers";

/// The shortest validity of a root certificate, in years.
pub const ROOT_MIN_YEARS: u32 = 20;
/// The longest validity accepted, in years.
pub const MAX_YEARS: u32 = 100;
/// How far back a new certificate's validity starts, to tolerate clocks that are a little slow.
const BACKDATE: Duration = Duration::minutes(5);

fn io_err(path: &Path, reason: impl std::fmt::Display) -> KeyError {
    KeyError::Io {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Writes `bytes` to a new file at `path` with permission bits `mode`, refusing to overwrite.
///
/// The file is written under a temporary name in the same folder, then hard-linked into place
/// (atomic, and fails if `path` exists), so that `path` never holds a partial file.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(io_err(
            path,
            "the file already exists; refusing to overwrite it",
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io_err(path, "not a file path"))?
        .to_string_lossy()
        .into_owned();
    let mut nonce = [0u8; 8];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| io_err(path, "the system random source failed"))?;
    let tmp = dir.join(format!(".{name}.{}.tmp", hex::encode(nonce)));

    let result = write_tmp(&tmp, bytes, mode).and_then(|()| publish(&tmp, path));
    // The temporary name is gone after a successful rename; remove it in every other case.
    let _ = fs::remove_file(&tmp);
    result
}

fn write_tmp(tmp: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(tmp).map_err(|e| io_err(tmp, e))?;
    file.write_all(bytes).map_err(|e| io_err(tmp, e))?;
    file.sync_all().map_err(|e| io_err(tmp, e))
}

fn publish(tmp: &Path, path: &Path) -> Result<(), KeyError> {
    match fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(io_err(
            path,
            "the file already exists; refusing to overwrite it",
        )),
        // A file system without hard links: rename, having checked again that nothing is there.
        Err(_) => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(io_err(
                    path,
                    "the file already exists; refusing to overwrite it",
                ));
            }
            fs::rename(tmp, path).map_err(|e| io_err(path, e))
        }
    }
}

/// Saves a private key as PKCS#8 PEM in a new file readable by its owner only (mode 0600).
/// An existing file is never overwritten.
pub fn save_key(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    write_new(path, key.try_pkcs8_pem()?.as_bytes(), 0o600)
}

/// Loads a private key from a PKCS#8 PEM file, refusing a file that the group or others may
/// access (it must be chmod 600 or stricter).
pub fn load_key(path: &Path) -> Result<SigningKey, KeyError> {
    let meta = fs::metadata(path).map_err(|e| io_err(path, e))?;
    if !meta.is_file() {
        return Err(io_err(path, "not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions {
                path: path.display().to_string(),
                mode,
            });
        }
    }
    let text = fs::read(path).map_err(|e| io_err(path, e))?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| match e {
        KeyError::Malformed { reason } => KeyError::Malformed {
            reason: format!("{}: {reason}", path.display()),
        },
        KeyError::Algorithm { found } => KeyError::Algorithm {
            found: format!("{found} in {}", path.display()),
        },
        other => other,
    })
}

fn read_certificate(path: &Path) -> Result<Certificate, Error> {
    let bytes = fs::read(path).map_err(|e| io_err(path, e))?;
    Certificate::from_pem(&bytes).map_err(|e| {
        Error::from(match e {
            TrustError::Pem { reason } => TrustError::Pem {
                reason: format!("{}: {reason}", path.display()),
            },
            TrustError::Malformed {
                certificate,
                reason,
            } => TrustError::Malformed {
                certificate: format!("{} ({certificate})", path.display()),
                reason,
            },
            other => other,
        })
    })
}

/// `t` moved `years` years on (29 February becomes 28 February when needed).
fn add_years(t: OffsetDateTime, years: u32) -> Result<OffsetDateTime, TrustError> {
    let too_far = || TrustError::Make {
        reason: format!("{years} years from {t} is out of range"),
    };
    let year = i32::try_from(years)
        .ok()
        .and_then(|y| t.year().checked_add(y))
        .ok_or_else(too_far)?;
    let date = Date::from_calendar_date(year, t.month(), t.day())
        .or_else(|_| Date::from_calendar_date(year, t.month(), t.day().saturating_sub(1)))
        .map_err(|_| too_far())?;
    Ok(t.replace_date(date))
}

fn check_years(years: u32) -> Result<(), TrustError> {
    if (1..=MAX_YEARS).contains(&years) {
        Ok(())
    } else {
        Err(TrustError::Make {
            reason: format!("a validity of {years} years: give 1 to {MAX_YEARS}"),
        })
    }
}

/// Now, in whole seconds, backdated a little.
fn start_time() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now) - BACKDATE
}

/// A signing certificate of an [`AuthorityDir`], with where it is kept.
#[derive(Clone, Debug)]
pub struct SignerEntry {
    /// The department's 统一社会信用代码.
    pub issuer_code: Uscc,
    /// Its number within the department (1, 2, …): `signers/<code>/<number>.pem`.
    pub number: u32,
    /// The certificate.
    pub certificate: Certificate,
    /// The certificate file.
    pub certificate_path: PathBuf,
    /// The private key file.
    pub key_path: PathBuf,
}

/// The folder of a certification authority: the root CA and the departments' signing
/// certificates and keys. See the [module documentation](self) for the layout.
#[derive(Clone, Debug)]
pub struct AuthorityDir {
    dir: PathBuf,
    root: Certificate,
}

/// Files and folders made so far, removed again if a later step fails.
struct Undo {
    paths: Vec<PathBuf>,
    done: bool,
}

impl Undo {
    fn new() -> Undo {
        Undo {
            paths: Vec::new(),
            done: false,
        }
    }
}

impl Drop for Undo {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        for p in self.paths.iter().rev() {
            if p.is_dir() {
                let _ = fs::remove_dir(p);
            } else {
                let _ = fs::remove_file(p);
            }
        }
    }
}

fn create_dir(path: &Path, undo: &mut Undo) -> Result<(), KeyError> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o755);
    }
    builder.create(path).map_err(|e| io_err(path, e))?;
    undo.paths.push(path.to_path_buf());
    Ok(())
}

impl AuthorityDir {
    /// Makes a new authority in `dir` (which must be absent or empty): a root CA named
    /// `root_name` and a first signing certificate for the department `issuer_name` /
    /// `issuer_code`, optionally restricted to `allowed_types`, both with keys of `algorithm`.
    ///
    /// The signing certificate is valid for `validity_years` (1–100); the root for that or
    /// [`ROOT_MIN_YEARS`], whichever is longer. If a step fails, what was written is removed.
    pub fn init(
        dir: &Path,
        root_name: &str,
        issuer_name: &str,
        issuer_code: &Uscc,
        allowed_types: Option<Vec<TypeCode>>,
        algorithm: Algorithm,
        validity_years: u32,
    ) -> Result<AuthorityDir, Error> {
        check_years(validity_years)?;
        let mut undo = Undo::new();
        match fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(io_err(
                        dir,
                        "the folder is not empty; refusing to initialise an authority in it",
                    )
                    .into());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
                }
                create_dir(dir, &mut undo)?;
            }
            Err(e) => return Err(io_err(dir, e).into()),
        }

        // Everything that can fail without touching the disk, first.
        let start = start_time();
        let root_end = add_years(start, validity_years.max(ROOT_MIN_YEARS))?;
        let root_key = SigningKey::generate(algorithm)?;
        let root = pki::issue_root(&root_key, root_name, start, root_end)?;
        let made = make_signer(
            &root,
            &root_key,
            issuer_name,
            issuer_code,
            allowed_types.as_deref(),
            algorithm,
            validity_years,
        )?;

        let root_key_path = dir.join(ROOT_KEY_FILE);
        save_key(&root_key_path, &root_key)?;
        undo.paths.push(root_key_path);
        let root_path = dir.join(ROOT_CERT_FILE);
        write_new(&root_path, root.to_pem().as_bytes(), 0o644)?;
        undo.paths.push(root_path);
        create_dir(&dir.join(SIGNERS_DIR), &mut undo)?;
        let authority = AuthorityDir {
            dir: dir.to_path_buf(),
            root,
        };
        authority.store_signer(issuer_code, 1, &made, &mut undo)?;
        undo.done = true;
        Ok(authority)
    }

    /// Opens an authority folder made by [`AuthorityDir::init`].
    pub fn open(dir: &Path) -> Result<AuthorityDir, Error> {
        let root_path = dir.join(ROOT_CERT_FILE);
        if !root_path.is_file() {
            return Err(io_err(
                dir,
                format!("not an authority folder: there is no {ROOT_CERT_FILE}"),
            )
            .into());
        }
        let root = read_certificate(&root_path)?;
        Ok(AuthorityDir {
            dir: dir.to_path_buf(),
            root,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root CA certificate (`root.pem`): what verifiers trust.
    pub fn root_certificate(&self) -> &Certificate {
        &self.root
    }

    /// The path of the root CA certificate.
    pub fn root_certificate_path(&self) -> PathBuf {
        self.dir.join(ROOT_CERT_FILE)
    }

    /// The path of the root CA key.
    pub fn root_key_path(&self) -> PathBuf {
        self.dir.join(ROOT_KEY_FILE)
    }

    /// Makes a new key and signing certificate, signed by the root key, for a department: a
    /// new one, or another certificate for one that has some already (key rotation: the
    /// certificates' validity periods overlap). The certificate ends no later than the root.
    pub fn add_signer(
        &self,
        issuer_name: &str,
        issuer_code: &Uscc,
        allowed_types: Option<Vec<TypeCode>>,
        algorithm: Algorithm,
        validity_years: u32,
    ) -> Result<SignerEntry, Error> {
        check_years(validity_years)?;
        let root_key = load_key(&self.root_key_path())?;
        if Ok(root_key.public_key()) != self.root.public_key() {
            return Err(KeyError::Malformed {
                reason: format!(
                    "{} is not the key of {}",
                    self.root_key_path().display(),
                    self.root_certificate_path().display()
                ),
            }
            .into());
        }
        let made = make_signer(
            &self.root,
            &root_key,
            issuer_name,
            issuer_code,
            allowed_types.as_deref(),
            algorithm,
            validity_years,
        )?;
        let number = self
            .entries()?
            .iter()
            .filter(|e| e.issuer_code == *issuer_code)
            .map(|e| e.number)
            .max()
            .unwrap_or(0)
            + 1;
        let mut undo = Undo::new();
        let entry = self.store_signer(issuer_code, number, &made, &mut undo)?;
        undo.done = true;
        Ok(entry)
    }

    fn store_signer(
        &self,
        code: &Uscc,
        number: u32,
        (key, cert): &(SigningKey, Certificate),
        undo: &mut Undo,
    ) -> Result<SignerEntry, Error> {
        let folder = self.dir.join(SIGNERS_DIR).join(code.as_ref());
        create_dir(&self.dir.join(SIGNERS_DIR), undo)?;
        create_dir(&folder, undo)?;
        let key_path = folder.join(format!("{number}.key"));
        let certificate_path = folder.join(format!("{number}.pem"));
        save_key(&key_path, key)?;
        undo.paths.push(key_path.clone());
        write_new(&certificate_path, cert.to_pem().as_bytes(), 0o644)?;
        undo.paths.push(certificate_path.clone());
        Ok(SignerEntry {
            issuer_code: code.clone(),
            number,
            certificate: cert.clone(),
            certificate_path,
            key_path,
        })
    }

    /// Every signing certificate, by department code and number: (code, certificate, key path).
    pub fn signers(&self) -> Result<Vec<(Uscc, Certificate, PathBuf)>, Error> {
        Ok(self
            .entries()?
            .into_iter()
            .map(|e| (e.issuer_code, e.certificate, e.key_path))
            .collect())
    }

    /// Every signing certificate with its files, by department code and number.
    pub fn entries(&self) -> Result<Vec<SignerEntry>, Error> {
        let signers = self.dir.join(SIGNERS_DIR);
        let mut out = Vec::new();
        let folders = match fs::read_dir(&signers) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io_err(&signers, e).into()),
        };
        for folder in folders {
            let folder = folder.map_err(|e| io_err(&signers, e))?;
            let Some(code) = folder
                .file_name()
                .to_str()
                .and_then(|n| Uscc::parse_legacy(n).ok())
            else {
                continue;
            };
            let path = folder.path();
            if !path.is_dir() {
                continue;
            }
            for file in fs::read_dir(&path).map_err(|e| io_err(&path, e))? {
                let file = file.map_err(|e| io_err(&path, e))?;
                let name = file.file_name();
                let Some(number) = name
                    .to_str()
                    .and_then(|n| n.strip_suffix(".pem"))
                    .filter(|n| !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|n| n.parse::<u32>().ok())
                else {
                    continue;
                };
                let certificate_path = file.path();
                out.push(SignerEntry {
                    issuer_code: code.clone(),
                    number,
                    certificate: read_certificate(&certificate_path)?,
                    key_path: path.join(format!("{number}.key")),
                    certificate_path,
                });
            }
        }
        out.sort_by(|a, b| (&a.issuer_code, a.number).cmp(&(&b.issuer_code, b.number)));
        Ok(out)
    }

    /// The key and certificate a department signs with now: of its signing certificates valid
    /// now, the newest.
    pub fn load_signer(&self, issuer_code: &Uscc) -> Result<(SigningKey, Certificate), Error> {
        self.load_signer_at(issuer_code, OffsetDateTime::now_utc())
    }

    /// The key and certificate a department signs with at `at`: of its signing certificates
    /// valid then, the newest (latest start, then highest number).
    pub fn load_signer_at(
        &self,
        issuer_code: &Uscc,
        at: OffsetDateTime,
    ) -> Result<(SigningKey, Certificate), Error> {
        let all: Vec<SignerEntry> = self
            .entries()?
            .into_iter()
            .filter(|e| e.issuer_code == *issuer_code)
            .collect();
        let folder = self.dir.join(SIGNERS_DIR).join(issuer_code.as_ref());
        let Some(entry) = all
            .iter()
            .filter(|e| e.certificate.is_valid_at(at))
            .max_by_key(|e| (e.certificate.not_before(), e.number))
        else {
            let reason = if all.is_empty() {
                format!("no signing certificate for {issuer_code}: add one with `zhengzhao authority add-signer`")
            } else {
                format!(
                    "none of the {} signing certificates of {issuer_code} is valid at {at}: add one with `zhengzhao authority add-signer`",
                    all.len()
                )
            };
            return Err(io_err(&folder, reason).into());
        };
        let key = load_key(&entry.key_path)?;
        if Ok(key.public_key()) != entry.certificate.public_key() {
            return Err(KeyError::Malformed {
                reason: format!(
                    "{} is not the key of {}",
                    entry.key_path.display(),
                    entry.certificate_path.display()
                ),
            }
            .into());
        }
        Ok((key, entry.certificate.clone()))
    }
}

/// A new key and its signing certificate, signed by the root, ending no later than the root.
fn make_signer(
    root: &Certificate,
    root_key: &SigningKey,
    issuer_name: &str,
    issuer_code: &Uscc,
    allowed_types: Option<&[TypeCode]>,
    algorithm: Algorithm,
    validity_years: u32,
) -> Result<(SigningKey, Certificate), Error> {
    let start = start_time().max(root.not_before());
    let end = add_years(start, validity_years)?.min(root.not_after());
    let key = SigningKey::generate(algorithm)?;
    let cert = pki::issue_signer(
        root,
        root_key,
        &key.public_key(),
        issuer_name,
        issuer_code,
        allowed_types,
        start,
        end,
    )?;
    Ok((key, cert))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Coded;
    use crate::ErrorCode;

    #[test]
    fn add_years_handles_leap_days() {
        let t = time::macros::datetime!(2024-02-29 12:00 UTC);
        assert_eq!(
            add_years(t, 1).unwrap(),
            time::macros::datetime!(2025-02-28 12:00 UTC)
        );
        assert_eq!(
            add_years(t, 4).unwrap(),
            time::macros::datetime!(2028-02-29 12:00 UTC)
        );
        assert!(add_years(t, u32::MAX).is_err());
    }

    #[test]
    fn years_out_of_range_are_refused() {
        assert!(check_years(0).is_err());
        assert!(check_years(101).is_err());
        assert!(check_years(1).is_ok());
    }

    #[test]
    fn write_new_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.pem");
        write_new(&p, b"x", 0o644).unwrap();
        let e = write_new(&p, b"y", 0o644).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyIo);
        assert_eq!(fs::read(&p).unwrap(), b"x");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.pem")]);
        // A folder that does not exist: an error, and nothing left behind.
        let e = write_new(&dir.path().join("no/such/b.pem"), b"x", 0o644).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyIo);
    }
}
