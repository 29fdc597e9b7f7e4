//! Fixtures shared by the benches: a PKI and signed licences made with the library itself.

use time::macros::datetime;
use time::OffsetDateTime;
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::credential;
use zhengzhao_core::keys::{Algorithm, SigningKey};
use zhengzhao_core::pki::{self, Certificate, TrustAnchors};
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::verify::Verifier;

/// The verification time of the benches.
pub const AT: OffsetDateTime = datetime!(2025-06-01 12:00 UTC);

/// A root, one issuing department's signing key and certificate, and `n` signed 营业执照.
pub struct Signed {
    /// The verifier, trusting the root and knowing the signing certificate.
    pub verifier: Verifier,
    /// The signed documents (compact JSON).
    pub documents: Vec<Vec<u8>>,
    /// The signing key.
    pub key: SigningKey,
    /// The signing certificate.
    pub certificate: Certificate,
}

/// Makes `n` signed licences of a typical size (about 1 KiB) with keys of `algorithm`.
pub fn signed_licences(algorithm: Algorithm, n: usize) -> Signed {
    let root_key = SigningKey::generate(algorithm).unwrap();
    let root = pki::issue_root(
        &root_key,
        "基准测试根CA",
        datetime!(2020-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    )
    .unwrap();
    let key = SigningKey::generate(algorithm).unwrap();
    let mut sampler = Sampler::new(42);
    let issuer = sampler.issuer("杭州市西湖区市场监督管理局");
    let code = Uscc::parse(issuer.code.as_ref()).unwrap();
    let certificate = pki::issue_signer(
        &root,
        &root_key,
        &key.public_key(),
        &issuer.name,
        &code,
        None,
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2035-01-01 0:00 UTC),
    )
    .unwrap();
    let catalog = Catalog::builtin();
    let ty = catalog.get_str("11100000MB0143028R001").unwrap();
    let documents = (0..n)
        .map(|i| {
            let holder = sampler.organisation();
            let licence = sampler
                .licence(
                    ty,
                    &issuer,
                    &holder,
                    &format!("{:010}", i + 1),
                    time::macros::date!(2024 - 03 - 18),
                )
                .unwrap();
            credential::sign(
                &licence,
                None,
                &key,
                &certificate.fingerprint(),
                datetime!(2024-03-18 02:00 UTC),
            )
            .unwrap()
        })
        .collect();
    let mut verifier = Verifier::new(TrustAnchors::new(vec![root]).unwrap());
    verifier.add_certificate(certificate.clone());
    Signed {
        verifier,
        documents,
        key,
        certificate,
    }
}

pub mod registry;
