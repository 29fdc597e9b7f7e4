//! The stable error-code table shared by Rust, the C ABI and Python.
//!
//! Every error that zhengzhao returns carries one [`ErrorCode`]. A code never changes meaning
//! once released: bindings and log readers match on it. Each code has a number (the C status)
//! and a name of the form `ZZ-E-<FAMILY>-<NNN>` (what Python exceptions and the CLI print).

use std::fmt;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $name:literal, $family:ident, $msg:literal, $hint:literal; )*) => {
        /// A stable error code. See the [module documentation](self).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The number of the code: the status a C call returns.
            pub const fn number(self) -> u32 {
                match self { $(ErrorCode::$variant => $num,)* }
            }

            /// The stable name, e.g. `ZZ-E-ID-006`.
            pub const fn name(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name,)* }
            }

            /// The family of the code: what Python maps to an exception class.
            pub const fn family(self) -> Family {
                match self { $(ErrorCode::$variant => Family::$family,)* }
            }

            /// A one-line description of what the code means.
            pub const fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $msg,)* }
            }

            /// What to do about it, in one line.
            pub const fn hint(self) -> &'static str {
                match self { $(ErrorCode::$variant => $hint,)* }
            }

            /// The code with this number, if there is one.
            pub fn from_number(n: u32) -> Option<ErrorCode> {
                Self::ALL.iter().copied().find(|c| c.number() == n)
            }

            /// The code with this name, if there is one.
            pub fn from_name(name: &str) -> Option<ErrorCode> {
                Self::ALL.iter().copied().find(|c| c.name() == name)
            }
        }
    };
}

/// The family an error code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// GB/T 36904 licence identifiers.
    Identifier,
    /// Holder and issuer codes: 统一社会信用代码, 公民身份号码, 行政区划代码.
    Code,
    /// The catalogue of licence types and its definitions.
    Catalog,
    /// Licence data that does not satisfy its type.
    Schema,
    /// Documents that cannot be read (JSON, encodings).
    Format,
}

impl Family {
    /// The family's name, as used for exception classes.
    pub const fn name(self) -> &'static str {
        match self {
            Family::Identifier => "identifier",
            Family::Code => "code",
            Family::Catalog => "catalog",
            Family::Schema => "schema",
            Family::Format => "format",
        }
    }
}

error_codes! {
    /// Not a licence identifier: wrong root or wrong number of segments.
    IdSyntax = 1001, "ZZ-E-ID-001", Identifier, "not a GB/T 36904 licence identifier", "an identifier looks like 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>";
    /// The type-code segment is malformed.
    IdTypeCode = 1002, "ZZ-E-ID-002", Identifier, "the licence type code segment is invalid", "the type code is the defining authority's 统一社会信用代码 followed by 3 digits; see `zhengzhao catalog list`";
    /// The issuer-code segment is malformed.
    IdIssuerCode = 1003, "ZZ-E-ID-003", Identifier, "the issuer code segment is invalid", "use the issuer's 统一社会信用代码; legacy identifiers with a 行政区划代码 need --lenient";
    /// The serial segment is malformed.
    IdSerial = 1004, "ZZ-E-ID-004", Identifier, "the serial segment is invalid", "serials are 7–32 characters of 0-9 and A-Z (legacy: 1–32 with --lenient)";
    /// The version segment is malformed.
    IdVersion = 1005, "ZZ-E-ID-005", Identifier, "the version segment is invalid", "versions are 3 digits from 001";
    /// The ISO/IEC 7064 MOD 37,36 check character does not match.
    IdCheck = 1006, "ZZ-E-ID-006", Identifier, "the check character does not match", "the identifier was mistyped or altered: compare it with the original";

    /// A 统一社会信用代码 with the wrong length or characters.
    UsccFormat = 1101, "ZZ-E-CODE-001", Code, "not a 统一社会信用代码 (18 characters of 0-9 and A-Y without I, O, S, V, Z)", "a 统一社会信用代码 has 18 characters; the letters I, O, S, V and Z never occur";
    /// A 统一社会信用代码 whose GB 32100 check character does not match.
    UsccCheck = 1102, "ZZ-E-CODE-002", Code, "the 统一社会信用代码 check character does not match", "the code was mistyped, or is a legacy pilot-area code (accepted with a warning where legacy data is allowed)";
    /// A 公民身份号码 with the wrong length or characters.
    IdNumberFormat = 1111, "ZZ-E-CODE-011", Code, "not a 公民身份号码 (17 digits and a digit or X)", "a 公民身份号码 has 17 digits and a final digit or X";
    /// A 公民身份号码 whose birth date is not a real date.
    IdNumberDate = 1112, "ZZ-E-CODE-012", Code, "the birth date in the 公民身份号码 is not a real date", "characters 7–14 are the birth date yyyyMMdd: check them";
    /// A 公民身份号码 whose GB 11643 check character does not match.
    IdNumberCheck = 1113, "ZZ-E-CODE-013", Code, "the 公民身份号码 check character does not match", "the number was mistyped: compare it with the identity card";
    /// Not a GB/T 2260 行政区划代码.
    AreaCode = 1121, "ZZ-E-CODE-021", Code, "not a 行政区划代码 (6 digits with a known province)", "use a GB/T 2260 行政区划代码 such as 330106";
    /// A holder code type that is not three digits.
    HolderCodeType = 1131, "ZZ-E-CODE-031", Code, "not a holder code type (3 digits, e.g. 111 or 001)", "use 111 for 公民身份号码, 001 for 统一社会信用代码, 099 for other organisation codes";

    /// No licence type with this code (or this version) in the catalogue.
    CatalogUnknownType = 1201, "ZZ-E-CAT-001", Catalog, "no such licence type in the catalogue", "list the known types with `zhengzhao catalog list`";
    /// A licence type definition that is not well formed.
    CatalogDefinition = 1202, "ZZ-E-CAT-002", Catalog, "the licence type definition is invalid", "fix the definition: see docs/catalog-format.md";
    /// A type code, or a version of it, that is already registered.
    CatalogDuplicate = 1203, "ZZ-E-CAT-003", Catalog, "the licence type (or this version of it) is already registered", "register the next version of the type instead";

    /// Licence data that violates its type's rules (every violation is listed).
    SchemaViolation = 1301, "ZZ-E-SCHEMA-001", Schema, "the licence data does not satisfy its type", "correct the listed fields: `zhengzhao catalog show <type code>` shows the type's fields";

    /// A document that is not well-formed JSON or does not have the expected shape.
    Json = 1401, "ZZ-E-FMT-001", Format, "the document is not well-formed JSON of the expected shape", "check that the document is complete, UTF-8 JSON of the expected shape";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Anything that carries a stable error code.
pub trait Coded {
    /// The stable code of this error.
    fn code(&self) -> ErrorCode;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn numbers_and_names_are_unique_and_well_formed() {
        let mut numbers = HashSet::new();
        let mut names = HashSet::new();
        for &c in ErrorCode::ALL {
            assert!(numbers.insert(c.number()), "{c:?} repeats a number");
            assert!(names.insert(c.name()), "{c:?} repeats a name");
            assert!(c.name().starts_with("ZZ-E-"), "{c:?}");
            assert_eq!(ErrorCode::from_number(c.number()), Some(c));
            assert_eq!(ErrorCode::from_name(c.name()), Some(c));
            assert!(!c.description().is_empty());
            assert!(!c.hint().is_empty());
        }
        assert_eq!(ErrorCode::from_number(0), None);
        assert_eq!(ErrorCode::from_name("ZZ-E-NOPE"), None);
    }

    #[test]
    fn codes_are_stable() {
        // These are published; changing one breaks every binding that matches on it.
        assert_eq!(ErrorCode::IdCheck.number(), 1006);
        assert_eq!(ErrorCode::IdCheck.name(), "ZZ-E-ID-006");
        assert_eq!(ErrorCode::UsccCheck.name(), "ZZ-E-CODE-002");
        assert_eq!(ErrorCode::SchemaViolation.number(), 1301);
    }
}
