//! Errors as Python exceptions: every error of the library becomes an instance of the class
//! of its family (`zhengzhao.errors`), carrying its stable code, number, message and hint.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use zhengzhao_core::{Coded, ErrorCode};

/// An error on its way to Python.
pub enum Error {
    /// A coded error of the library, with structured details (a schema error's violations).
    Coded {
        code: ErrorCode,
        message: String,
        details: Option<serde_json::Value>,
    },
    /// A Python exception raised inside a call (a callback, a conversion): passed on as it is.
    Python(PyErr),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error::Coded {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Usage, message)
    }
}

/// Any coded error of the library.
pub fn coded<E: Coded + std::fmt::Display>(e: E) -> Error {
    Error::new(e.code(), e.to_string())
}

fn with_details<E: Coded + std::fmt::Display>(e: E, details: Option<serde_json::Value>) -> Error {
    Error::Coded {
        code: e.code(),
        message: e.to_string(),
        details,
    }
}

impl From<zhengzhao_registry::RegistryError> for Error {
    fn from(e: zhengzhao_registry::RegistryError) -> Error {
        match e {
            zhengzhao_registry::RegistryError::Core(e) => e.into(),
            e => coded(e),
        }
    }
}

impl From<zhengzhao_core::validate::SchemaError> for Error {
    /// With every violation in `details`.
    fn from(e: zhengzhao_core::validate::SchemaError) -> Error {
        let details = serde_json::json!({
            "licence": e.licence,
            "violations": e.violations,
            "warnings": e.warnings,
        });
        with_details(e, Some(details))
    }
}

impl From<zhengzhao_core::Error> for Error {
    fn from(e: zhengzhao_core::Error) -> Error {
        match e {
            zhengzhao_core::Error::Schema(s) => s.into(),
            e => coded(e),
        }
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Error {
        Error::Python(e)
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        let (code, message, details) = match e {
            Error::Python(e) => return e,
            Error::Coded {
                code,
                message,
                details,
            } => (code, message, details),
        };
        Python::attach(|py| {
            let make = || -> PyResult<PyErr> {
                let kwargs = PyDict::new(py);
                if let Some(d) = &details {
                    kwargs.set_item("details", crate::convert::json_to_py(py, d)?)?;
                }
                let families = py.import("zhengzhao.errors")?.getattr("_FAMILIES")?;
                let value = families.get_item(code.family().name())?.call(
                    (code.name(), message, code.number(), code.hint()),
                    Some(&kwargs),
                )?;
                Ok(PyErr::from_value(value))
            };
            make().unwrap_or_else(|err| err)
        })
    }
}
