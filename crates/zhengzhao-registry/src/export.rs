//! Export of a stored licence in the interchange formats: the signed document itself, a
//! `vc+jwt` token signed now by its department, the flat GB/T 36903 record of provincial sync
//! interfaces, and the QR payload for 亮证 / 扫码核验 (see `docs/formats.md`).

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
}

impl ExportFormat {
    /// Every format.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Vc,
        ExportFormat::VcJwt,
        ExportFormat::Gbt36903,
        ExportFormat::Qr,
    ];

    /// The name: `vc`, `vc-jwt`, `gbt36903` or `qr`.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Vc => "vc",
            ExportFormat::VcJwt => "vc-jwt",
            ExportFormat::Gbt36903 => "gbt36903",
            ExportFormat::Qr => "qr",
        }
    }

    /// The format with this name.
    pub fn from_name(name: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl Registry {
    /// A stored licence version in `format`: UTF-8 text for every format (JSON, a token or a
    /// QR payload). `vc-jwt` needs the registry's signer source.
    pub fn export(&self, id: &LicenceId, format: ExportFormat) -> Result<Vec<u8>, RegistryError> {
        let document = self.document(id)?;
        let core = |e: zhengzhao_core::Error| RegistryError::Core(e);
        Ok(match format {
            ExportFormat::Vc => document,
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
