//! GB/T 35275 (SM2 cryptographic message syntax) `SignedData`, as OFD signatures of
//! `Type="Sign"` carry it: a `ContentInfo` of type `1.2.156.10197.6.1.4.2.2` (or the PKCS #7
//! `1.2.840.113549.1.7.2`) with one signer.
//!
//! Two shapes occur: with signed attributes, the signature is over the DER `SET OF` them and
//! the `messageDigest` attribute holds SM3 of the signed `Signature.xml`; without, the content
//! (when embedded) holds that digest and the signature is over the content, or (when detached)
//! the signature is over the `Signature.xml` itself.

use crate::der::{self, oid, tag, Reader};

const SIGNED_DATA_GM: &str = "1.2.156.10197.6.1.4.2.2";
const SIGNED_DATA_PKCS7: &str = "1.2.840.113549.1.7.2";
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

/// What a `SignedData` signs and with which key.
#[derive(Debug)]
pub struct SignedData<'a> {
    /// The certificates it carries (DER).
    pub certificates: Vec<&'a [u8]>,
    /// The signer's issuer Name (raw DER) and serial number (INTEGER content).
    pub signer_id: (&'a [u8], &'a [u8]),
    /// The digest algorithm's OID content.
    pub digest_algorithm: Vec<u8>,
    /// The signature algorithm's OID content.
    pub signature_algorithm: Vec<u8>,
    /// What the signature covers, and how it binds the `Signature.xml`.
    pub covers: Covers<'a>,
    /// The `signingTime` attribute as written, when there is one.
    pub signing_time: Option<String>,
    /// The signature (DER `SEQUENCE { r, s }` or raw).
    pub signature: &'a [u8],
}

/// How a `SignedData` binds the `Signature.xml`.
#[derive(Debug)]
pub enum Covers<'a> {
    /// Signed attributes: the signature is over `signed` (the DER `SET OF` them), and
    /// `digest` is the `messageDigest` attribute.
    Attributes {
        /// The DER `SET OF` attributes: what is signed.
        signed: Vec<u8>,
        /// The `messageDigest`.
        digest: &'a [u8],
    },
    /// No attributes, embedded content: the signature is over the content, which holds the
    /// digest (or the data itself).
    Content(&'a [u8]),
    /// No attributes, detached: the signature is over the `Signature.xml` itself.
    Detached,
}

/// Whether `bytes` look like a `ContentInfo` (`SEQUENCE { OID, [0] … }`).
pub fn looks_like(bytes: &[u8]) -> bool {
    let Ok(outer) = der::single(bytes, "ContentInfo") else {
        return false;
    };
    let mut r = outer.reader();
    outer.tag == tag::SEQUENCE && r.expect(tag::OID, "").is_ok() && r.peek() == Some(tag::CONTEXT_0)
}

impl<'a> SignedData<'a> {
    /// Reads a `ContentInfo` holding a `SignedData` with one signer.
    pub fn parse(bytes: &'a [u8]) -> Result<SignedData<'a>, String> {
        let outer = der::single(bytes, "ContentInfo")?;
        let mut r = outer.reader();
        let content_type = r.expect(tag::OID, "ContentInfo contentType")?.content;
        if content_type != oid(SIGNED_DATA_GM) && content_type != oid(SIGNED_DATA_PKCS7) {
            return Err(format!(
                "ContentInfo of type {}, not SignedData",
                der::oid_text(content_type)
            ));
        }
        let explicit = r.expect(tag::CONTEXT_0, "ContentInfo content")?;
        r.end("ContentInfo")?;
        let mut sd = Reader::new(explicit.content)
            .expect(tag::SEQUENCE, "SignedData")?
            .reader();
        sd.expect(tag::INTEGER, "SignedData version")?;
        sd.expect(tag::SET, "digestAlgorithms")?;
        let mut ci = sd.expect(tag::SEQUENCE, "encapContentInfo")?.reader();
        ci.expect(tag::OID, "encapContentInfo contentType")?;
        let content = match ci.optional(tag::CONTEXT_0, "encapContentInfo content")? {
            Some(explicit) => Some(
                Reader::new(explicit.content)
                    .expect(tag::OCTET_STRING, "encapContentInfo content")?
                    .content,
            ),
            None => None,
        };
        ci.end("encapContentInfo")?;
        let mut certificates = Vec::new();
        if let Some(certs) = sd.optional(tag::CONTEXT_0, "certificates")? {
            let mut c = certs.reader();
            while !c.is_empty() {
                certificates.push(c.expect(tag::SEQUENCE, "certificate")?.raw);
            }
        }
        sd.optional(tag::CONTEXT_1, "crls")?;
        let signer_infos = sd.expect(tag::SET, "signerInfos")?;
        sd.end("SignedData")?;
        let mut infos = signer_infos.reader();
        let info = infos.expect(tag::SEQUENCE, "SignerInfo")?;
        if !infos.is_empty() {
            return Err("more than one SignerInfo: an OFD signature has one signer".into());
        }
        let mut s = info.reader();
        s.expect(tag::INTEGER, "SignerInfo version")?;
        let mut sid = s.expect(tag::SEQUENCE, "issuerAndSerialNumber")?.reader();
        let issuer = sid.expect(tag::SEQUENCE, "issuer")?.raw;
        let serial = sid.expect(tag::INTEGER, "serialNumber")?.content;
        let digest_algorithm = algorithm(&mut s, "digestAlgorithm")?;
        let attributes = s.optional(tag::CONTEXT_0, "authenticatedAttributes")?;
        let signature_algorithm = algorithm(&mut s, "digestEncryptionAlgorithm")?;
        let signature = s.expect(tag::OCTET_STRING, "encryptedDigest")?.content;
        s.optional(tag::CONTEXT_1, "unauthenticatedAttributes")?;
        s.end("SignerInfo")?;

        let mut signing_time = None;
        let covers = match attributes {
            Some(attrs) => {
                let mut digest = None;
                let mut a = attrs.reader();
                while !a.is_empty() {
                    let mut attr = a.expect(tag::SEQUENCE, "attribute")?.reader();
                    let kind = attr.expect(tag::OID, "attribute type")?.content;
                    let mut values = attr.expect(tag::SET, "attribute values")?.reader();
                    if kind == oid(MESSAGE_DIGEST) {
                        digest = Some(values.expect(tag::OCTET_STRING, "messageDigest")?.content);
                    } else if kind == oid(SIGNING_TIME) {
                        signing_time = Some(values.any("signingTime")?.text());
                    }
                }
                // What is signed is the attributes with the SET OF tag in place of [0].
                let mut signed = attrs.raw.to_vec();
                signed[0] = tag::SET;
                Covers::Attributes {
                    signed,
                    digest: digest.ok_or("signed attributes without messageDigest")?,
                }
            }
            None => content.map_or(Covers::Detached, Covers::Content),
        };
        Ok(SignedData {
            certificates,
            signer_id: (issuer, serial),
            digest_algorithm,
            signature_algorithm,
            covers,
            signing_time,
            signature,
        })
    }
}

fn algorithm(r: &mut Reader<'_>, what: &str) -> Result<Vec<u8>, String> {
    let mut alg = r.expect(tag::SEQUENCE, what)?.reader();
    Ok(alg.expect(tag::OID, what)?.content.to_vec())
}
