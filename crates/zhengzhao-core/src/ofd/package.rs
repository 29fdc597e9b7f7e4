//! The OFD package (GB/T 33190 §7): a zip archive, opened defensively.
//!
//! Every entry is read into memory once, under limits on the number of entries, the size of each
//! and of all, and the compression ratio, so that a zip bomb or a forged size field cannot exhaust
//! memory. Entry names are normalised (`a/./b` is `a/b`); absolute names, `..` that would leave
//! the package, backslashes, NUL and names that collide after normalisation are refused.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use super::OfdError;

/// Limits on what an OFD package may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (files and folders).
    pub max_entries: usize,
    /// Most bytes of one entry, uncompressed.
    pub max_entry_size: u64,
    /// Most bytes of all entries, uncompressed.
    pub max_total_size: u64,
    /// Highest ratio of uncompressed to compressed size, for entries above 1 MiB.
    pub max_ratio: u64,
}

impl Default for Limits {
    /// 10,000 entries, 64 MiB an entry, 256 MiB in all, a ratio of 200: generous for licences,
    /// invoices and scanned pages, far below what would hurt a window PC.
    fn default() -> Limits {
        Limits {
            max_entries: 10_000,
            max_entry_size: 64 << 20,
            max_total_size: 256 << 20,
            max_ratio: 200,
        }
    }
}

/// Entries below this size are exempt from the ratio limit: small XML files of repeated
/// whitespace compress far better than 200:1 and cannot hurt.
const RATIO_FREE: u64 = 1 << 20;

/// The entries of an OFD package, by normalised name (no leading `/`).
#[derive(Debug)]
pub struct Package {
    entries: BTreeMap<String, Vec<u8>>,
}

impl Package {
    /// Reads every entry of the zip in `bytes` within `limits`.
    pub fn read(bytes: &[u8], limits: &Limits) -> Result<Package, OfdError> {
        let package = |reason: String| OfdError::Package { reason };
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| package(format!("not a readable zip archive: {e}")))?;
        if zip.len() > limits.max_entries {
            return Err(OfdError::Limit {
                reason: format!(
                    "{} entries, more than the {} allowed",
                    zip.len(),
                    limits.max_entries
                ),
            });
        }
        let mut entries = BTreeMap::new();
        let mut total = 0u64;
        for index in 0..zip.len() {
            let mut file = zip
                .by_index(index)
                .map_err(|e| package(format!("entry {index}: {e}")))?;
            let raw_name = String::from_utf8_lossy(file.name_raw()).into_owned();
            if file.is_dir() {
                continue;
            }
            let name = normalise_entry(&raw_name)?;
            let declared = file.size();
            let compressed = file.compressed_size();
            if declared > limits.max_entry_size {
                return Err(entry_too_large(&name, declared, limits));
            }
            if declared > RATIO_FREE && declared / compressed.max(1) > limits.max_ratio {
                return Err(OfdError::Limit {
                    reason: format!(
                        "entry '{name}' expands {compressed} bytes to {declared} (more than {}:1)",
                        limits.max_ratio
                    ),
                });
            }
            // The declared size may lie: read at most one byte past the limit and check again.
            let mut data = Vec::with_capacity(declared.min(limits.max_entry_size) as usize);
            (&mut file)
                .take(limits.max_entry_size + 1)
                .read_to_end(&mut data)
                .map_err(|e| package(format!("entry '{name}' cannot be read: {e}")))?;
            let size = data.len() as u64;
            if size > limits.max_entry_size {
                return Err(entry_too_large(&name, size, limits));
            }
            if size != declared {
                return Err(package(format!(
                    "entry '{name}' holds {size} bytes but its header says {declared}"
                )));
            }
            total += size;
            if total > limits.max_total_size {
                return Err(OfdError::Limit {
                    reason: format!(
                        "the entries hold more than the {} bytes allowed in all",
                        limits.max_total_size
                    ),
                });
            }
            if entries.insert(name.clone(), data).is_some() {
                return Err(OfdError::Path {
                    path: raw_name,
                    reason: format!("a second entry named '{name}'"),
                });
            }
        }
        Ok(Package { entries })
    }

    /// The bytes of the entry at the normalised path `path`.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.entries.get(path).map(Vec::as_slice)
    }

    /// The bytes of the entry at `path`, or an error naming what refers to it.
    pub fn require(&self, path: &str, referenced_by: &str) -> Result<&[u8], OfdError> {
        self.get(path).ok_or_else(|| OfdError::Missing {
            path: format!("/{path}"),
            referenced_by: referenced_by.to_owned(),
        })
    }
}

fn entry_too_large(name: &str, size: u64, limits: &Limits) -> OfdError {
    OfdError::Limit {
        reason: format!(
            "entry '{name}' holds {size} bytes, more than the {} allowed",
            limits.max_entry_size
        ),
    }
}

fn normalise_entry(raw: &str) -> Result<String, OfdError> {
    let refuse = |reason: &str| OfdError::Path {
        path: raw.to_owned(),
        reason: reason.to_owned(),
    };
    if raw.starts_with('/') {
        return Err(refuse("an absolute entry name"));
    }
    if raw.contains('\\') || raw.contains('\0') {
        return Err(refuse("a backslash or NUL in an entry name"));
    }
    join("", raw).ok_or_else(|| refuse("the name leaves the package ('..')"))
}

/// Resolves `location` as OFD writes it: absolute from the package root when it starts with
/// `/`, otherwise relative to `folder` (a normalised folder path, `""` for the root). `None`
/// when `..` would leave the package.
pub fn resolve(folder: &str, location: &str) -> Option<String> {
    let location = location.trim();
    match location.strip_prefix('/') {
        Some(absolute) => join("", absolute),
        None => join(folder, location),
    }
}

/// The folder of a normalised entry path (`"Doc_0/Signs"` for `"Doc_0/Signs/Signatures.xml"`).
pub fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

fn join(folder: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_like_ofd_readers_do() {
        assert_eq!(
            resolve("Doc_0/Signs", "/Doc_0/Signs/Sign_0/Signature.xml").as_deref(),
            Some("Doc_0/Signs/Sign_0/Signature.xml")
        );
        assert_eq!(
            resolve("Doc_0/Signs", "Sign_0/Signature.xml").as_deref(),
            Some("Doc_0/Signs/Sign_0/Signature.xml")
        );
        assert_eq!(
            resolve("", "Doc_0/./Signs/../Document.xml").as_deref(),
            Some("Doc_0/Document.xml")
        );
        assert_eq!(resolve("Doc_0", "../../etc/passwd"), None);
        assert_eq!(resolve("", ""), None);
        assert_eq!(folder_of("Doc_0/Signs/Signatures.xml"), "Doc_0/Signs");
        assert_eq!(folder_of("OFD.xml"), "");
    }

    #[test]
    fn entry_names_are_refused_when_unsafe() {
        for bad in ["/etc/passwd", "../x", "a/../../x", "a\\b", "a\0b"] {
            assert!(
                matches!(normalise_entry(bad), Err(OfdError::Path { .. })),
                "{bad}"
            );
        }
        assert_eq!(
            normalise_entry("Doc_0//./Page.xml").unwrap(),
            "Doc_0/Page.xml"
        );
    }
}
