//! Export of a stored licence in the interchange formats: the signed document itself, a
//! `vc+jwt` token signed now by its department, the flat GB/T 36903 record of provincial sync
//! interfaces, and the QR payload for 亮证 / 扫码核验 (see `docs/formats.md`). An imported OFD
//! licence exports as its file and its flat record only.

use serde_json::Value;
use zhengzhao_core::identifier::LicenceId;
use zhengzhao_core::{gbt36903, qr, vcjwt};

use crate::error::{corrupt, RegistryError};
use crate::registry::{now, Registry};

/// An interchange format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The signed VC-DI document, exactly as stored.
    Vc,
    /// W3C VC-JOSE-COSE `vc+jwt`, signed by the department's current signing key.
    VcJwt,
    /// The flat GB/T 36903 record, with the licence's current status.
    Gbt36903,
    /// The QR payload (`ZZ1:`…) of the signed document.
    Qr,
    /// The sealed OFD file of an imported OFD licence, exactly as imported.
    Ofd,
}

impl ExportFormat {
    /// Every format.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Vc,
        ExportFormat::VcJwt,
        ExportFormat::Gbt36903,
        ExportFormat::Qr,
        ExportFormat::Ofd,
    ];

    /// The name: `vc`, `vc-jwt`, `gbt36903`, `qr` or `ofd`.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Vc => "vc",
            ExportFormat::VcJwt => "vc-jwt",
            ExportFormat::Gbt36903 => "gbt36903",
            ExportFormat::Qr => "qr",
            ExportFormat::Ofd => "ofd",
        }
    }

    /// The format with this name.
    pub fn from_name(name: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl Registry {
    /// A stored licence version in `format`: UTF-8 text for every format (JSON, a token or a
    /// QR payload) but `ofd`, the OFD file. `vc-jwt` needs the registry's signer source.
    /// An imported OFD licence exports as `ofd` and `gbt36903` only, a licence the registry
    /// signed as anything but `ofd` (`ZZ-E-LIFE-007` otherwise).
    pub fn export(&self, id: &LicenceId, format: ExportFormat) -> Result<Vec<u8>, RegistryError> {
        let document = self.document(id)?;
        let core = |e: zhengzhao_core::Error| RegistryError::Core(e);
        let is_ofd = crate::ofd::is_ofd(&document);
        let form = |reason: &str| RegistryError::Form {
            id: id.to_string(),
            reason: format!("{reason}: it cannot be exported as {}", format.name()),
        };
        match format {
            ExportFormat::Ofd if !is_ofd => {
                return Err(form(
                    "it is a credential the registry signed, not an OFD file",
                ))
            }
            ExportFormat::Vc | ExportFormat::VcJwt | ExportFormat::Qr if is_ofd => {
                return Err(form(
                    "it is an imported OFD licence, sealed elsewhere: export it as ofd or gbt36903",
                ))
            }
            _ => {}
        }
        Ok(match format {
            ExportFormat::Vc | ExportFormat::Ofd => document,
            ExportFormat::Qr => qr::encode(&document)
                .map_err(|e| core(e.into()))?
                .into_bytes(),
            ExportFormat::VcJwt => {
                let credential: Value = serde_json::from_slice(&document)
                    .map_err(|e| corrupt(format!("licence {id}"), e.to_string()))?;
                let issuer = self.stored_licence(id)?.issuer.code;
                let identity = self.identity(&issuer, now())?;
                vcjwt::encode(
                    &credential,
                    identity.signer.as_ref(),
                    std::slice::from_ref(&identity.certificate),
                )
                .map_err(|e| core(e.into()))?
                .into_bytes()
            }
            ExportFormat::Gbt36903 => {
                let mut licence = self.stored_licence(id)?;
                licence.status = self.status(id)?;
                let record = gbt36903::to_record(&licence).map_err(|e| core(e.into()))?;
                gbt36903::record_to_json(&record).into_bytes()
            }
        })
    }
}
