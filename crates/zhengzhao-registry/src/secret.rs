//! The holder-index secret: 32 random bytes in `holder.secret` in the registry folder, readable
//! by its owner only, next to (never inside) the database.
//!
//! Holder keys are HMAC-SHA-256 of the holder's code type and code under this secret. A
//! 公民身份号码 has little entropy (a region, a birth date, a sequence): a plain hash of it is
//! reversed by trying every candidate. Kept outside RocksDB, the secret does not travel with a
//! copy of the database, so the copy alone does not give the numbers away.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{KeyInit, Mac};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::Sha256;
use zhengzhao_core::codes::{HolderCodeType, IdNumber, Uscc};

use crate::error::RegistryError;
use crate::layout::HOLDER_HASH_LEN;

/// The secret's file name in the registry folder.
pub const SECRET_FILE: &str = "holder.secret";

const SECRET_LEN: usize = 32;
const CHECK_LABEL: &[u8] = b"zhengzhao registry holder-index secret check v1";

type HmacSha256 = hmac::Hmac<Sha256>;

/// The holder-index secret of a registry.
#[derive(Clone)]
pub struct HolderSecret {
    /// HMAC-SHA-256 keyed with the secret, cloned for each hash: the key schedule is done once.
    keyed: HmacSha256,
}

impl std::fmt::Debug for HolderSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HolderSecret(..)")
    }
}

fn secret_err(path: &Path, reason: impl std::fmt::Display) -> RegistryError {
    RegistryError::Secret {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// The path of the secret in a registry folder.
pub fn secret_path(dir: &Path) -> PathBuf {
    dir.join(SECRET_FILE)
}

impl HolderSecret {
    /// Makes a new random secret and writes it to a new owner-only file at `path`.
    pub fn create(path: &Path) -> Result<HolderSecret, RegistryError> {
        let mut key = [0u8; SECRET_LEN];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| secret_err(path, "the system random source failed"))?;
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| secret_err(path, e))?;
        file.write_all(&key)
            .and_then(|()| file.sync_all())
            .map_err(|e| secret_err(path, e))?;
        Ok(HolderSecret::keyed(&key))
    }

    /// Reads the secret, refusing a file that the group or others may access.
    pub fn load(path: &Path) -> Result<HolderSecret, RegistryError> {
        let meta = fs::metadata(path).map_err(|e| secret_err(path, e))?;
        if !meta.is_file() {
            return Err(secret_err(path, "not a file"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(secret_err(
                    path,
                    format!("the file has mode {mode:o}: others may read it (chmod 600)"),
                ));
            }
        }
        let bytes = fs::read(path).map_err(|e| secret_err(path, e))?;
        let key: [u8; SECRET_LEN] = bytes.as_slice().try_into().map_err(|_| {
            secret_err(
                path,
                format!("{} bytes, expected {SECRET_LEN}", bytes.len()),
            )
        })?;
        Ok(HolderSecret::keyed(&key))
    }

    fn keyed(key: &[u8; SECRET_LEN]) -> HolderSecret {
        HolderSecret {
            keyed: <HmacSha256 as KeyInit>::new_from_slice(key)
                .expect("HMAC takes keys of any length"),
        }
    }

    fn mac(&self) -> HmacSha256 {
        self.keyed.clone()
    }

    /// A value that shows whether a secret file is the one a registry was made with, without
    /// telling anything about the secret: HMAC of a fixed label.
    pub fn check_value(&self) -> [u8; 32] {
        let mut m = self.mac();
        m.update(CHECK_LABEL);
        m.finalize().into_bytes().into()
    }

    /// The holder hash: HMAC-SHA-256 over the code type, a separator and the normalised code.
    pub fn holder_hash(&self, code_type: &HolderCodeType, code: &str) -> [u8; HOLDER_HASH_LEN] {
        let mut m = self.mac();
        m.update(code_type.as_ref().as_bytes());
        m.update(&[0]);
        m.update(code.as_bytes());
        m.finalize().into_bytes().into()
    }
}

/// The normal form of a holder code, so that one holder always gets one key: a 公民身份号码
/// checked and with an upper-case `X`; a 统一社会信用代码 checked (legacy pilot-area codes
/// accepted); any other code trimmed and upper-cased, and not empty.
pub fn normalise_code(code_type: &HolderCodeType, code: &str) -> Result<String, RegistryError> {
    if *code_type == HolderCodeType::ID_NUMBER {
        Ok(IdNumber::parse(code.trim())?.to_string())
    } else if *code_type == HolderCodeType::USCC {
        Ok(Uscc::parse_legacy(code.trim())?.to_string())
    } else {
        let c = code.trim().to_uppercase();
        if c.is_empty() || c.chars().count() > 64 || c.chars().any(char::is_control) {
            return Err(RegistryError::Request {
                field: "holder code".into(),
                reason: "a holder code is 1–64 printable characters".into(),
            });
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_owner_only_and_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(SECRET_FILE);
        let s = HolderSecret::create(&p).unwrap();
        assert!(HolderSecret::create(&p).is_err(), "never overwritten");
        let back = HolderSecret::load(&p).unwrap();
        assert_eq!(back.check_value(), s.check_value());
        let other = HolderSecret::create(&dir.path().join("other")).unwrap();
        assert_ne!(other.check_value(), s.check_value());
        let t = HolderCodeType::ID_NUMBER;
        assert_ne!(
            s.holder_hash(&t, "11010519491231002X"),
            other.holder_hash(&t, "11010519491231002X")
        );
        assert_ne!(
            s.holder_hash(&t, "11010519491231002X"),
            s.holder_hash(&HolderCodeType::USCC, "11010519491231002X")
        );
        assert!(format!("{s:?}").len() < 20);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
            let e = HolderSecret::load(&p).unwrap_err();
            assert!(e.to_string().contains("chmod 600"), "{e}");
        }
        fs::write(dir.path().join("short"), [0u8; 5]).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir.path().join("short"), fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        assert!(HolderSecret::load(&dir.path().join("short"))
            .unwrap_err()
            .to_string()
            .contains("5 bytes"));
        assert!(HolderSecret::load(&dir.path().join("absent")).is_err());
    }

    #[test]
    fn codes_are_normalised() {
        let t = HolderCodeType::ID_NUMBER;
        assert_eq!(
            normalise_code(&t, " 11010519491231002x").unwrap(),
            "11010519491231002X"
        );
        assert!(normalise_code(&t, "110105194912310021").is_err());
        assert!(normalise_code(&HolderCodeType::USCC, "nope").is_err());
        let other = HolderCodeType::parse("414").unwrap();
        assert_eq!(normalise_code(&other, " e1234 ").unwrap(), "E1234");
        assert!(normalise_code(&other, "  ").is_err());
        assert!(normalise_code(&other, "a\u{0}").is_err());
    }
}
