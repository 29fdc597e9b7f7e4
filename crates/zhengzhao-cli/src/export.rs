//! `zhengzhao export` (a stored licence in an interchange format) and `zhengzhao qr` (its QR
//! code for 亮证 / 扫码核验, as PNG or SVG).

use std::path::PathBuf;

use clap::Args;
use qrcode::{EcLevel, QrCode, Version};
use serde_json::json;
use zhengzhao_core::identifier::{LicenceId, Strictness};
use zhengzhao_core::ErrorCode;
use zhengzhao_registry::export::ExportFormat;

use crate::output::{self, out, Outcome};
use crate::registry::finish;
use crate::store::{failure, Failure, Store};

#[derive(Args)]
#[command(after_help = "Examples:
  zhengzhao export ID --format vc-jwt --authority ./ca
  zhengzhao export ID --format gbt36903 --out record.json

Formats (docs/formats.md): vc, the signed document as stored; vc-jwt, a W3C VC-JOSE-COSE token
signed now by the department's current key (needs --authority); gbt36903, the flat record of
provincial sync interfaces with the current status; qr, the QR payload text; ofd, the file of an
imported OFD licence (which exports as ofd and gbt36903 only).")]
pub struct ExportArgs {
    #[command(flatten)]
    store: Store,
    /// The licence version's identifier (电子证照标识).
    id: String,
    /// vc, vc-jwt, gbt36903, qr or ofd.
    #[arg(long, default_value = "vc")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Report errors as JSON.
    #[arg(long)]
    json: bool,
}

pub fn export(a: ExportArgs) -> Outcome {
    let r = (|| {
        let format = ExportFormat::from_name(&a.format).ok_or_else(|| {
            (
                ErrorCode::Usage,
                format!("--format {}: use vc, vc-jwt, gbt36903, qr or ofd", a.format),
            )
        })?;
        let id = LicenceId::parse_with(&a.id, Strictness::Lenient).map_err(failure)?;
        let bytes = a.store.open()?.export(&id, format).map_err(failure)?;
        write_out(a.out.as_ref(), &bytes)
    })();
    finish(r, a.json)
}

fn write_out(path: Option<&PathBuf>, bytes: &[u8]) -> Result<(), Failure> {
    match path {
        Some(p) => {
            std::fs::write(p, bytes).map_err(|e| (ErrorCode::Io, format!("{}: {e}", p.display())))
        }
        None => match std::str::from_utf8(bytes) {
            Ok(text) => {
                out!("{text}");
                Ok(())
            }
            // An OFD file goes out as it is.
            Err(_) => {
                use std::io::Write;
                std::io::stdout()
                    .lock()
                    .write_all(bytes)
                    .map_err(|e| (ErrorCode::Io, format!("standard output: {e}")))
            }
        },
    }
}

#[derive(Args)]
#[command(after_help = "Examples:
  zhengzhao qr ID --png licence.png
  zhengzhao qr ID --svg licence.svg --json

The code holds the signed licence (ZZ1: payload, docs/formats.md) at error correction level M:
`zhengzhao verify` checks the scanned text offline.")]
pub struct QrArgs {
    #[command(flatten)]
    store: Store,
    /// The licence version's identifier (电子证照标识).
    id: String,
    /// Write the QR code as PNG.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Write the QR code as SVG.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Pixels per module in the PNG.
    #[arg(long, default_value_t = 4)]
    scale: u32,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// The modules of quiet zone around the code that scanners need.
const QUIET: usize = 4;

pub fn qr(a: QrArgs) -> Outcome {
    let r = (|| {
        if a.png.is_none() && a.svg.is_none() {
            return Err((ErrorCode::Usage, "give --png FILE or --svg FILE".into()));
        }
        if !(1..=64).contains(&a.scale) {
            return Err((ErrorCode::Usage, "--scale is 1 to 64 pixels".into()));
        }
        let id = LicenceId::parse_with(&a.id, Strictness::Lenient).map_err(failure)?;
        let payload = a
            .store
            .open()?
            .export(&id, ExportFormat::Qr)
            .map_err(failure)?;
        let code = QrCode::with_error_correction_level(&payload, EcLevel::M).map_err(|e| {
            (
                ErrorCode::QrData,
                format!("the payload does not fit a QR code: {e}"),
            )
        })?;
        if let Some(p) = &a.svg {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .quiet_zone(true)
                .min_dimensions(256, 256)
                .build();
            write_out(Some(p), svg.as_bytes())?;
        }
        if let Some(p) = &a.png {
            write_out(Some(p), &png(&code, a.scale as usize)?)?;
        }
        let version = match code.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        };
        if a.json {
            output::json(&json!({
                "id": id.to_string(),
                "payload_chars": payload.len(),
                "version": version,
                "modules": code.width(),
                "png": a.png.as_ref().map(|p| p.display().to_string()),
                "svg": a.svg.as_ref().map(|p| p.display().to_string()),
            }));
        } else {
            out!(
                "QR code version {version} ({0}×{0} modules, level M) of a {1}-character payload",
                code.width(),
                payload.len()
            );
        }
        Ok(())
    })();
    finish(r, a.json)
}

/// The code as an 8-bit greyscale PNG with its quiet zone.
fn png(code: &QrCode, scale: usize) -> Result<Vec<u8>, Failure> {
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = ((i % modules + QUIET) * scale, (i / modules + QUIET) * scale);
            for row in y..y + scale {
                pixels[row * side + x..row * side + x + scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let side = u32::try_from(side).map_err(|_| (ErrorCode::Usage, "image too large".into()))?;
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| (ErrorCode::Io, format!("PNG: {e}")))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| (ErrorCode::Io, format!("PNG: {e}")))?;
    writer
        .finish()
        .map_err(|e| (ErrorCode::Io, format!("PNG: {e}")))?;
    Ok(out)
}
