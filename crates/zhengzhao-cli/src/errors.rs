//! `zhengzhao errors`: the stable error-code table, shared by Rust, C and Python.

use serde_json::json;
use zhengzhao_core::ErrorCode;

use crate::output::{self, out, Outcome};

pub fn run(json: bool) -> Outcome {
    if json {
        let rows: Vec<_> = ErrorCode::ALL
            .iter()
            .map(|c| json!({ "code": c.name(), "number": c.number(), "family": c.family().name(), "description": c.description(), "hint": c.hint() }))
            .collect();
        output::json(&json!(rows));
    } else {
        for c in ErrorCode::ALL {
            out!(
                "{:<16} {:>5}  {:<10} {}",
                c.name(),
                c.number(),
                c.family().name(),
                c.description()
            );
        }
    }
    Outcome::Ok
}
