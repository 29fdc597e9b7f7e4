//! What an OFD licence says of itself: the GB/T 36903 metadata items that producers write as
//! `CustomData` of the document's `DocInfo` (in `OFD.xml`) or as elements of its custom tag
//! files (`CustomTags`), named by key (`ZZBS`) or by item name (`证照标识`), and the 照面
//! fields as `KZ_…`. Custom data wins over tags when both name an item.
//!
//! Many OFD licences carry none of it (the Yunnan 探矿权 licence among the vectors carries only
//! its producer); [`Metadata::missing`] says what is not there, and
//! [`Metadata::licence`] reads the licence when everything is.

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::gbt36903::{self, Record, RecordError};
use crate::licence::Licence;

use super::package::{Limits, Package};
use super::{xml, OfdError};

/// The metadata of an OFD licence's first document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// `DocInfo/DocID`.
    pub doc_id: Option<String>,
    /// Every `CustomData`, as written: (name, value).
    pub custom_data: Vec<(String, String)>,
    /// The GB/T 36903 items found, by key.
    pub record: Record,
    /// For each item of `record`, the entries it was read from or through (`/OFD.xml`, and
    /// for a custom tag the document, the tag list and the tag file): an item is sealed when
    /// a signature protects all of them.
    pub origins: BTreeMap<String, Vec<String>>,
    /// The required items not found, as `KEY (名称)`.
    pub missing: Vec<String>,
}

impl Metadata {
    /// The GB/T 36904 identifier (`ZZBS`) as written, when the file carries one.
    pub fn identifier(&self) -> Option<&str> {
        self.record.get("ZZBS").map(String::as_str)
    }

    /// The licence the metadata describes, checked like a flat GB/T 36903 record (every
    /// value, and the 照面 fields against the catalogue type).
    pub fn licence(&self, catalog: &Catalog) -> Result<Licence, RecordError> {
        gbt36903::from_record(&self.record, catalog)
    }
}

/// Reads the metadata of the OFD package in `bytes`.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Metadata, OfdError> {
    let package = Package::read(bytes, limits)?;
    let ofd_xml = package.require("OFD.xml", "the OFD standard (GB/T 33190 §7.4)")?;
    let body = xml::doc_bodies(ofd_xml)?
        .into_iter()
        .next()
        .ok_or_else(|| OfdError::Xml {
            path: "/OFD.xml".into(),
            reason: "no <DocBody>".into(),
        })?;
    let mut record = Record::new();
    let mut origins = BTreeMap::new();
    let mut take = |name: &str, value: &str, origin: &[&str]| {
        if let Some(key) = gbt36903::key_of(name) {
            if !record.contains_key(&key) {
                record.insert(key.clone(), value.to_owned());
                origins.insert(key, origin.iter().map(|p| format!("/{p}")).collect());
            }
        }
    };
    for (name, value) in &body.custom_data {
        take(name, value, &["OFD.xml"]);
    }
    if let Some(doc_root) = &body.doc_root {
        let document = package.require(doc_root, "OFD.xml (DocRoot)")?;
        if let Some(list) = xml::custom_tag_list(document, doc_root)? {
            let list_xml = package.require(&list, doc_root)?;
            for file in xml::custom_tag_files(list_xml, &list)? {
                let tags = package.require(&file, &list)?;
                for (name, value) in xml::leaf_texts(tags, &file)? {
                    take(&name, &value, &["OFD.xml", doc_root, &list, &file]);
                }
            }
        }
    }
    Ok(Metadata {
        doc_id: body.doc_id,
        custom_data: body.custom_data,
        missing: gbt36903::missing(&record),
        record,
        origins,
    })
}
