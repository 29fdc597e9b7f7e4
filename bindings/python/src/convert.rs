//! Plain data across the boundary: documents as `str`, `bytes` or `dict`; JSON results as
//! Python values; times as aware `datetime`s.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use time::OffsetDateTime;
use zhengzhao_core::ErrorCode;

use crate::error::{Error, Result};

/// A document given as `str`, `bytes`/`bytearray`/`memoryview`, or a JSON value (`dict`,
/// `list`), as UTF-8 bytes.
pub fn document(obj: &Bound<'_, PyAny>, what: &str) -> Result<Vec<u8>> {
    if obj.is_instance_of::<PyString>() {
        return Ok(obj.extract::<String>()?.into_bytes());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if obj.is_instance_of::<pyo3::types::PyDict>() || obj.is_instance_of::<pyo3::types::PyList>() {
        return Ok(json_dumps(obj, what)?.into_bytes());
    }
    if let Ok(b) = obj.extract::<Vec<u8>>() {
        // bytearray, memoryview
        return Ok(b);
    }
    Err(Error::usage(format!(
        "{what}: expected str, bytes or dict, not {}",
        obj.get_type().name()?
    )))
}

/// A Python value as JSON text (`json.dumps`, no NaN, non-ASCII kept).
pub fn json_dumps(obj: &Bound<'_, PyAny>, what: &str) -> Result<String> {
    let py = obj.py();
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    kwargs.set_item("allow_nan", false)?;
    match py
        .import("json")?
        .call_method("dumps", (obj,), Some(&kwargs))
    {
        Ok(s) => Ok(s.extract::<String>()?),
        Err(e) => Err(Error::new(
            ErrorCode::Json,
            format!("{what}: not representable as JSON: {}", e.value(py)),
        )),
    }
}

/// JSON text as a Python value (`json.loads`).
pub fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// A JSON value as a Python value.
pub fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    json_loads(py, &v.to_string())
}

/// Anything serialisable as a Python value, through its JSON form.
pub fn to_py<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).expect("library values serialise");
    json_loads(py, &text)
}

/// An instant argument: `None` for now; an aware `datetime`; a `date` or `yyyy-MM-dd` text
/// (noon that day in China Standard Time); or RFC 3339 text.
pub fn instant(obj: Option<&Bound<'_, PyAny>>, what: &str) -> Result<OffsetDateTime> {
    match obj {
        None => Ok(OffsetDateTime::now_utc()),
        Some(o) if o.is_none() => Ok(OffsetDateTime::now_utc()),
        Some(o) => {
            let text = time_text(o, what)?;
            zhengzhao_core::date::instant(&text).ok_or_else(|| bad_time(what, &text))
        }
    }
}

/// The end of a period: a `date` or `yyyy-MM-dd` text means through that day (China Standard
/// Time); an aware `datetime` or RFC 3339 text is taken as given.
pub fn through(obj: &Bound<'_, PyAny>, what: &str) -> Result<OffsetDateTime> {
    let text = time_text(obj, what)?;
    zhengzhao_core::date::through(&text).ok_or_else(|| bad_time(what, &text))
}

/// A `date` argument (or `yyyy-MM-dd` text).
pub fn date(obj: &Bound<'_, PyAny>, what: &str) -> Result<time::Date> {
    let text = time_text(obj, what)?;
    zhengzhao_core::date::parse(&text)
        .ok_or_else(|| Error::usage(format!("{what} '{text}' is not a date (yyyy-MM-dd)")))
}

fn bad_time(what: &str, text: &str) -> Error {
    Error::usage(format!(
        "{what} '{text}' is neither an aware datetime, RFC 3339 (2025-06-01T09:00:00+08:00) nor a date (2025-06-01)"
    ))
}

/// A time argument as text: `str` as it is; `datetime` (which must be aware) and `date` in
/// ISO form.
fn time_text(o: &Bound<'_, PyAny>, what: &str) -> Result<String> {
    if let Ok(s) = o.extract::<String>() {
        return Ok(s);
    }
    let dt = o.py().import("datetime")?;
    if o.is_instance(&dt.getattr("datetime")?)? {
        if o.call_method0("utcoffset")?.is_none() {
            return Err(Error::usage(format!(
                "{what}: a naive datetime is ambiguous; give one with a time zone (tzinfo)"
            )));
        }
        return Ok(o.call_method0("isoformat")?.extract()?);
    }
    if o.is_instance(&dt.getattr("date")?)? {
        return Ok(o.call_method0("isoformat")?.extract()?);
    }
    Err(Error::usage(format!(
        "{what}: expected a datetime, date or str, not {}",
        o.get_type().name()?
    )))
}

/// An instant as an aware `datetime`, in its own offset.
pub fn py_datetime<'py>(py: Python<'py>, t: OffsetDateTime) -> PyResult<Bound<'py, PyAny>> {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6][offset_hour sign:mandatory]:[offset_minute]"
    );
    let text = t.format(f).expect("every instant formats");
    py.import("datetime")?
        .getattr("datetime")?
        .call_method1("fromisoformat", (text,))
}

/// A date as a `datetime.date`.
pub fn py_date<'py>(py: Python<'py>, d: time::Date) -> PyResult<Bound<'py, PyAny>> {
    py.import("datetime")?
        .getattr("date")?
        .call_method1("fromisoformat", (zhengzhao_core::date::format(d),))
}
