//! Electronic seals and seal signatures: GB/T 38540-2020 (`SES_Signature` version 4) and
//! GM/T 0031-2014 (version 1), read from their DER without re-encoding anything: the signer
//! signed the `TBS_Sign` bytes as they stand, the seal maker the `SES_SealInfo` bytes (v4) or
//! `SEQUENCE { sealInfo, cert, signatureAlgorithm }` built from the bytes as they stand (v1).

use crate::der::{self, tag, Tlv};

/// The version of a seal or seal signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// GM/T 0031-2014.
    V1,
    /// GB/T 38540-2020.
    V4,
}

/// A seal signature (`SES_Signature`).
#[derive(Debug)]
pub struct SealSignature<'a> {
    /// Its version.
    pub version: Version,
    /// The raw `TBS_Sign`: what the signer signed.
    pub tbs: &'a [u8],
    /// The seal it carries.
    pub seal: Seal<'a>,
    /// `timeInfo` as written (GeneralizedTime in v4, text in a BIT STRING in v1).
    pub time_info: String,
    /// `dataHash`: the SM3 digest of the `Signature.xml` it signs.
    pub data_hash: &'a [u8],
    /// `propertyInfo`: the location of that `Signature.xml`.
    pub property_info: String,
    /// The signer's certificate (DER).
    pub signer_cert: &'a [u8],
    /// The signature algorithm's OID content.
    pub algorithm: &'a [u8],
    /// The signature (DER `SEQUENCE { r, s }` or raw `r ‖ s`).
    pub signature: &'a [u8],
}

/// An electronic seal (`SESeal`).
#[derive(Debug)]
pub struct Seal<'a> {
    /// The raw `SESeal`.
    pub raw: &'a [u8],
    /// Its version.
    pub version: Version,
    /// The seal's identifier (`esID`).
    pub es_id: String,
    /// The maker's identifier (`Vid`).
    pub vid: String,
    /// The seal's name.
    pub name: String,
    /// The seal type (1 official seal, 2 special seal, …: GB/T 38540 leaves it to the maker).
    pub kind: u32,
    /// The certificates of those who may sign with the seal, or their digests.
    pub cert_list: CertList<'a>,
    /// `createDate`, `validStart`, `validEnd` as written.
    pub created: String,
    /// When the seal starts to be valid, as written.
    pub valid_start: String,
    /// When it stops, as written.
    pub valid_end: String,
    /// The seal maker's certificate (DER).
    pub maker_cert: &'a [u8],
    /// The maker's signature algorithm's OID content.
    pub maker_algorithm: &'a [u8],
    /// The bytes the maker signed.
    pub maker_signed: Vec<u8>,
    /// The maker's signature.
    pub maker_signature: &'a [u8],
}

/// Who may sign with a seal.
#[derive(Debug, PartialEq, Eq)]
pub enum CertList<'a> {
    /// Their certificates (DER).
    Certs(Vec<&'a [u8]>),
    /// Digests of their certificates: (algorithm as written, digest).
    Digests(Vec<(String, &'a [u8])>),
    /// Something else (some producers write a string): nobody can be matched.
    Unreadable,
}

impl<'a> SealSignature<'a> {
    /// Reads a `SES_Signature` (v4 or v1) from `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<SealSignature<'a>, String> {
        let outer = der::single(bytes, "SES_Signature")?;
        expect_tag(&outer, tag::SEQUENCE, "SES_Signature")?;
        let mut r = outer.reader();
        let tbs = r.expect(tag::SEQUENCE, "TBS_Sign")?;
        let mut t = tbs.reader();
        let version = match t
            .expect(tag::INTEGER, "TBS_Sign version")?
            .small_uint("TBS_Sign version")?
        {
            1 => Version::V1,
            4 => Version::V4,
            v => {
                return Err(format!(
                    "SES_Signature version {v}: only 1 (GM/T 0031) and 4 (GB/T 38540) are known"
                ))
            }
        };
        let seal = Seal::read(t.expect(tag::SEQUENCE, "SESeal")?)?;
        let (time_info, data_hash, property_info, signer_cert, algorithm, signature);
        match version {
            Version::V4 => {
                time_info = t.expect(tag::GENERALIZED_TIME, "timeInfo")?.text();
                data_hash = t
                    .expect(tag::BIT_STRING, "dataHash")?
                    .bit_string("dataHash")?;
                property_info = t.expect(tag::IA5_STRING, "propertyInfo")?.text();
                // extDatas [0] OPTIONAL: signed, not interpreted.
                t.optional(tag::CONTEXT_0, "extDatas")?;
                t.end("TBS_Sign")?;
                signer_cert = r.expect(tag::OCTET_STRING, "cert")?.content;
                algorithm = r.expect(tag::OID, "signatureAlgorithm")?.content;
                signature = r
                    .expect(tag::BIT_STRING, "signature")?
                    .bit_string("signature")?;
                // timeStamp [0] OPTIONAL: not part of what is checked here.
                r.optional(tag::CONTEXT_0, "timeStamp")?;
            }
            Version::V1 => {
                time_info = t.expect(tag::BIT_STRING, "timeInfo")?.text();
                data_hash = t
                    .expect(tag::BIT_STRING, "dataHash")?
                    .bit_string("dataHash")?;
                property_info = t.expect(tag::IA5_STRING, "propertyInfo")?.text();
                signer_cert = t.expect(tag::OCTET_STRING, "cert")?.content;
                algorithm = t.expect(tag::OID, "signatureAlgorithm")?.content;
                t.end("TBS_Sign")?;
                signature = r
                    .expect(tag::BIT_STRING, "signature")?
                    .bit_string("signature")?;
            }
        }
        r.end("SES_Signature")?;
        if seal.version != version {
            return Err(format!(
                "a version {} SES_Signature carries a version {} seal",
                number(version),
                number(seal.version)
            ));
        }
        Ok(SealSignature {
            version,
            tbs: tbs.raw,
            seal,
            time_info: time_info.trim().to_owned(),
            data_hash,
            property_info,
            signer_cert,
            algorithm,
            signature,
        })
    }
}

impl<'a> Seal<'a> {
    /// Reads a bare `SESeal` (a `.esl` file).
    pub fn parse(bytes: &'a [u8]) -> Result<Seal<'a>, String> {
        let tlv = der::single(bytes, "SESeal")?;
        expect_tag(&tlv, tag::SEQUENCE, "SESeal")?;
        Seal::read(tlv)
    }

    fn read(tlv: Tlv<'a>) -> Result<Seal<'a>, String> {
        let mut r = tlv.reader();
        let info = r.expect(tag::SEQUENCE, "SES_SealInfo")?;
        let mut i = info.reader();
        let mut header = i.expect(tag::SEQUENCE, "SES_Header")?.reader();
        let id = header.expect(tag::IA5_STRING, "SES_Header ID")?.text();
        if id != "ES" {
            return Err(format!("SES_Header ID is '{id}', not 'ES'"));
        }
        let version = match header
            .expect(tag::INTEGER, "SES_Header version")?
            .small_uint("SES_Header version")?
        {
            1 => Version::V1,
            4 => Version::V4,
            v => {
                return Err(format!(
                    "seal version {v}: only 1 (GM/T 0031) and 4 (GB/T 38540) are known"
                ))
            }
        };
        let vid = header.expect(tag::IA5_STRING, "SES_Header Vid")?.text();
        header.end("SES_Header")?;
        let es_id = i.expect(tag::IA5_STRING, "esID")?.text();
        let mut p = i.expect(tag::SEQUENCE, "SES_ESPropertyInfo")?.reader();
        let kind = p
            .expect(tag::INTEGER, "seal type")?
            .small_uint("seal type")?;
        let name = p.expect(tag::UTF8_STRING, "seal name")?.text();
        let time_tag = match version {
            Version::V1 => tag::UTC_TIME,
            Version::V4 => tag::GENERALIZED_TIME,
        };
        let cert_list = match version {
            Version::V1 => read_certs(p.expect(tag::SEQUENCE, "certList")?),
            Version::V4 => {
                let list_type = p
                    .expect(tag::INTEGER, "certListType")?
                    .small_uint("certListType")?;
                let list = p.any("certList")?;
                match list_type {
                    1 => read_certs(list),
                    2 => read_digests(list),
                    _ => CertList::Unreadable,
                }
            }
        };
        let created = p.expect(time_tag, "createDate")?.text();
        let valid_start = p.expect(time_tag, "validStart")?.text();
        let valid_end = p.expect(time_tag, "validEnd")?.text();
        p.end("SES_ESPropertyInfo")?;
        // picture and extDatas: signed by the maker, not interpreted here.
        i.expect(tag::SEQUENCE, "SES_ESPictrueInfo")?;
        let (maker_cert, maker_algorithm, maker_signed, maker_signature);
        match version {
            Version::V4 => {
                let cert = r.expect(tag::OCTET_STRING, "seal cert")?;
                let alg = r.expect(tag::OID, "seal signAlgID")?;
                maker_signature = r
                    .expect(tag::BIT_STRING, "seal signedValue")?
                    .bit_string("seal signedValue")?;
                maker_cert = cert.content;
                maker_algorithm = alg.content;
                maker_signed = info.raw.to_vec();
            }
            Version::V1 => {
                let mut s = r.expect(tag::SEQUENCE, "SES_SignInfo")?.reader();
                let cert = s.expect(tag::OCTET_STRING, "SES_SignInfo cert")?;
                let alg = s.expect(tag::OID, "SES_SignInfo signatureAlgorithm")?;
                maker_signature = s
                    .expect(tag::BIT_STRING, "SES_SignInfo signData")?
                    .bit_string("SES_SignInfo signData")?;
                s.end("SES_SignInfo")?;
                maker_cert = cert.content;
                maker_algorithm = alg.content;
                maker_signed = sequence_of(&[info.raw, cert.raw, alg.raw]);
            }
        }
        r.end("SESeal")?;
        Ok(Seal {
            raw: tlv.raw,
            version,
            es_id,
            vid,
            name,
            kind,
            cert_list,
            created,
            valid_start,
            valid_end,
            maker_cert,
            maker_algorithm,
            maker_signed,
            maker_signature,
        })
    }

    /// Whether the certificate `cert` (DER) may sign with this seal.
    pub fn lists(&self, cert: &[u8]) -> bool {
        match &self.cert_list {
            CertList::Certs(certs) => certs.contains(&cert),
            CertList::Digests(digests) => digests.iter().any(|(alg, digest)| {
                let alg = alg.to_ascii_lowercase();
                (alg.contains("sm3") || alg == "1.2.156.10197.1.401")
                    && *digest == crate::sm2::sm3(cert)
            }),
            CertList::Unreadable => false,
        }
    }
}

fn expect_tag(tlv: &Tlv<'_>, expected: u8, what: &str) -> Result<(), String> {
    if tlv.tag == expected {
        Ok(())
    } else {
        Err(format!(
            "{what}: found tag 0x{:02x}, expected 0x{expected:02x}",
            tlv.tag
        ))
    }
}

fn number(v: Version) -> u32 {
    match v {
        Version::V1 => 1,
        Version::V4 => 4,
    }
}

fn read_certs(list: Tlv<'_>) -> CertList<'_> {
    let mut r = list.reader();
    let mut certs = Vec::new();
    while !r.is_empty() {
        match r.expect(tag::OCTET_STRING, "certList") {
            Ok(cert) => certs.push(cert.content),
            Err(_) => return CertList::Unreadable,
        }
    }
    if list.tag == tag::SEQUENCE {
        CertList::Certs(certs)
    } else {
        CertList::Unreadable
    }
}

fn read_digests(list: Tlv<'_>) -> CertList<'_> {
    let mut r = list.reader();
    let mut digests = Vec::new();
    while !r.is_empty() {
        let entry = r.expect(tag::SEQUENCE, "certDigestList").and_then(|e| {
            let mut e = e.reader();
            let alg = e.any("CertDigestObj type")?.text();
            let value = e.expect(tag::OCTET_STRING, "CertDigestObj value")?.content;
            Ok((alg, value))
        });
        match entry {
            Ok(entry) => digests.push(entry),
            Err(_) => return CertList::Unreadable,
        }
    }
    CertList::Digests(digests)
}

/// `SEQUENCE { parts… }` from raw encodings.
fn sequence_of(parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = vec![tag::SEQUENCE];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    parts.iter().for_each(|p| out.extend_from_slice(p));
    out
}
