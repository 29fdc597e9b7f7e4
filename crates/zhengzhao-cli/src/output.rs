//! How results and errors are printed: stable code, message and hint; or JSON.

/// `println!` that ends the program quietly when standard output is closed (`zhengzhao … | head`)
/// instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// Writes one line to standard output; a closed pipe ends the program with success, since
/// the reader has all it wanted.
pub fn write_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error[ZZ-E-IO-001]: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

use serde_json::Value;
use zhengzhao_core::{Coded, ErrorCode};

/// What a command ends with; the numbers are the documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Valid, or done.
    Ok = 0,
    /// The input was read and found invalid.
    Invalid = 1,
    /// The command could not do its work (usage or input error).
    Failed = 2,
}

/// Reports a failure: with `json`, an object with the code, number, message and hint on
/// standard output; otherwise `error[CODE]: message` and a hint line on standard error.
pub fn report(code: ErrorCode, message: &str, json: bool) {
    if json {
        self::json(&error_json(code, message));
    } else {
        eprintln!("error[{code}]: {message}");
        eprintln!("  hint: {}", code.hint());
    }
}

/// Reports an error of the library (see [`report`]).
pub fn report_error(e: &(impl Coded + std::fmt::Display), json: bool) {
    report(e.code(), &e.to_string(), json);
}

/// The JSON form of a failure.
pub fn error_json(code: ErrorCode, message: &str) -> Value {
    serde_json::json!({ "code": code.name(), "number": code.number(), "message": message, "hint": code.hint() })
}

/// Prints a JSON value on standard output.
pub fn json(v: &Value) {
    write_line(format_args!(
        "{}",
        serde_json::to_string_pretty(v).expect("JSON values always print")
    ));
}
