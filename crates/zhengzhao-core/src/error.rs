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
    /// Proofs and signatures on documents.
    Signature,
    /// Certificates and the path to a trust anchor.
    Trust,
    /// Signing keys.
    Key,
    /// A licence that is not in force (validity period, status list).
    Status,
    /// A call with wrong arguments.
    Usage,
    /// Files and devices.
    Io,
    /// The registry's storage: its folder, database, schema and holder-index secret.
    Storage,
    /// Licences in the registry and their lifecycle (issue, change, renew, suspend, revoke, …).
    Lifecycle,
    /// Grants to using organisations and holders' consent.
    Grant,
    /// Window requests (用证): the request and its context.
    Window,
    /// The usage log: Merkle proofs and signed checkpoints.
    Log,
    /// Bulk import of legacy records: the mapping, the file and its rows.
    Import,
    /// Sealed OFD documents: the package, its signatures and seals.
    Ofd,
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
            Family::Signature => "signature",
            Family::Trust => "trust",
            Family::Key => "key",
            Family::Status => "status",
            Family::Usage => "usage",
            Family::Io => "io",
            Family::Storage => "storage",
            Family::Lifecycle => "lifecycle",
            Family::Grant => "grant",
            Family::Window => "window",
            Family::Log => "log",
            Family::Import => "import",
            Family::Ofd => "ofd",
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
    /// JSON that RFC 8785 cannot canonicalise: duplicate keys, lone surrogates, numbers out of range.
    Jcs = 1402, "ZZ-E-FMT-002", Format, "the JSON cannot be canonicalised (RFC 8785)", "remove duplicate keys and lone surrogates; numbers must be finite IEEE doubles";
    /// Not PEM or DER of the expected kind.
    Pem = 1403, "ZZ-E-FMT-003", Format, "not PEM or DER of the expected kind", "give PEM text (-----BEGIN …-----) or DER bytes of the expected object";
    /// A bundle that cannot be read.
    Bundle = 1404, "ZZ-E-FMT-004", Format, "the bundle is malformed", "bundles are made by `zhengzhao bundle`; check that the file is complete";
    /// A vc+jwt token that is not a JWS compact serialisation: not three base64url parts, or a
    /// header or payload that is not a JSON object.
    JwtMalformed = 1405, "ZZ-E-FMT-005", Format, "the token is not a JWS compact serialisation (three unpadded base64url parts, JSON header and payload)", "give the token exactly as issued: header.payload.signature, no spaces, padding or line breaks";
    /// A JWS header that is not that of a vc+jwt licence.
    JwtHeader = 1406, "ZZ-E-FMT-006", Format, "the JWS header is not that of a vc+jwt licence (typ, cty, kid, x5c, or an unknown or critical member)", "licence tokens have typ vc+jwt, cty vc, and a kid or x5c naming the signing certificate";
    /// A JWS algorithm that is not allowed (`none`, or anything but EdDSA and ES256).
    JwtAlgorithm = 1407, "ZZ-E-FMT-007", Format, "the JWS algorithm is not allowed (alg none, or other than EdDSA and ES256)", "licence tokens are signed with EdDSA (Ed25519) or ES256 (P-256)";
    /// An input larger than the format allows, or that would decompress beyond its limit.
    TooLarge = 1408, "ZZ-E-FMT-008", Format, "the input is larger than the format allows (or decompresses beyond its limit)", "a licence token or QR payload is a few kilobytes; check that the input is what it claims to be";
    /// A QR payload without the `ZZ1:` prefix of a version this library reads.
    QrPrefix = 1409, "ZZ-E-FMT-009", Format, "not a zhengzhao QR payload (no ZZ1: prefix)", "scan the licence's own QR code; payloads start with ZZ1:";
    /// A QR payload whose body is not valid base45 (RFC 9285).
    QrBase45 = 1410, "ZZ-E-FMT-010", Format, "the QR payload is not valid base45 (RFC 9285)", "the payload was mis-scanned or altered: scan it again";
    /// A QR payload whose compressed document is corrupt or truncated.
    QrData = 1411, "ZZ-E-FMT-011", Format, "the QR payload's compressed document is corrupt or truncated", "the payload was cut short or altered: scan it again";
    /// A flat GB/T 36903 record with an unknown key or without a required one.
    RecordKey = 1412, "ZZ-E-FMT-012", Format, "the flat GB/T 36903 record has an unknown key or lacks a required one", "see docs/formats.md for the keys of the flat record (ZZMC, ZZBS, CZZT, KZ_<field code>, …)";
    /// A value of a flat GB/T 36903 record that is malformed for its key.
    RecordValue = 1413, "ZZ-E-FMT-013", Format, "a value of the flat GB/T 36903 record is malformed for its key", "correct the value of the key named in the message (dates are yyyyMMdd)";
    /// Holder columns of a flat GB/T 36903 record that disagree in count.
    RecordHolders = 1414, "ZZ-E-FMT-014", Format, "the holder columns of the flat record name different numbers of holders", "CZZT, CZZTDM, CZZTDMLX and CZZTDMLXDM list the same holders, in the same order, joined by ^";

    /// A call with wrong arguments (a missing or malformed option, a null pointer, a bad length).
    Usage = 1501, "ZZ-E-USAGE-001", Usage, "the call's arguments are wrong", "see --help (or the header documentation) for what the call takes";
    /// A caller-provided buffer that is too small for the result (C ABI).
    BufferTooSmall = 1502, "ZZ-E-USAGE-002", Usage, "the buffer is too small for the result", "call again with a buffer of the size the call reported (the length it set, plus one for the NUL)";
    /// A handle that is closed, or was never opened (C ABI).
    HandleInvalid = 1503, "ZZ-E-USAGE-003", Usage, "the handle is closed or was never opened", "use a handle only between the call that opened it and the one that closed it";
    /// A handle of another kind than the call takes (C ABI).
    HandleKind = 1504, "ZZ-E-USAGE-004", Usage, "the handle is of another kind than the call takes", "pass a registry handle to zz_registry_* calls and a verifier handle to zz_verifier_* calls";
    /// The library failed unexpectedly: a bug, caught at the C boundary instead of crossing it.
    Internal = 1505, "ZZ-E-USAGE-005", Usage, "the library failed unexpectedly (an internal error)", "report it with the message: it is a bug in zhengzhao";
    /// A file that cannot be read or written.
    Io = 1601, "ZZ-E-IO-001", Io, "a file cannot be read or written", "check the path and its permissions";

    /// No proof, or a proof object without its required members.
    ProofMissing = 2101, "ZZ-E-SIG-001", Signature, "the document has no usable proof", "the document must carry a DataIntegrityProof with cryptosuite, verificationMethod, proofPurpose and proofValue";
    /// A cryptosuite or proof type this library does not know.
    ProofCryptosuite = 2102, "ZZ-E-SIG-002", Signature, "unknown proof type or cryptosuite", "supported cryptosuites: eddsa-jcs-2022, ecdsa-jcs-2019, sm2-jcs-2024";
    /// proofValue is not multibase base58btc of the right length.
    ProofValue = 2103, "ZZ-E-SIG-003", Signature, "proofValue is not a multibase base58btc signature of the right length", "the proofValue was truncated or altered";
    /// The signature does not verify: the document or proof was altered, or another key signed.
    SignatureInvalid = 2104, "ZZ-E-SIG-004", Signature, "the signature does not verify", "the document was altered after signing, or was signed by another key";
    /// verificationMethod names no certificate in the bundle or the trust store.
    VerificationMethod = 2105, "ZZ-E-SIG-005", Signature, "the verificationMethod names no known certificate", "verify with the bundle that carries the issuer's certificate, or add it to the trust store";
    /// proofPurpose is not assertionMethod.
    ProofPurpose = 2106, "ZZ-E-SIG-006", Signature, "the proofPurpose is not assertionMethod", "licences are signed for assertionMethod";
    /// Not a verifiable credential of the expected shape.
    DocumentShape = 2107, "ZZ-E-SIG-007", Signature, "not a licence credential of the expected shape", "a licence is a W3C VC 2.0 document with @context, type, issuer, credentialSubject and proof";
    /// A signature that is neither the raw `r ‖ s` form nor strict DER `SEQUENCE { r, s }`, or
    /// whose `r` or `s` is outside `[1, n-1]` (SM2).
    SignatureEncoding = 2108, "ZZ-E-SIG-008", Signature, "the signature is neither 64-byte r‖s nor strict DER SEQUENCE { r, s }, or r or s is out of range", "the signature was truncated or altered, or written in another encoding than the format says";

    /// A certificate that cannot be parsed.
    CertMalformed = 2201, "ZZ-E-TRUST-001", Trust, "the certificate cannot be parsed", "give the certificate as PEM or DER";
    /// A certificate that does not chain to any trust anchor.
    CertUntrusted = 2202, "ZZ-E-TRUST-002", Trust, "the certificate does not chain to a trusted root", "verify with the root certificate of the licence's province (--anchors)";
    /// A certificate whose signature does not verify.
    CertSignature = 2203, "ZZ-E-TRUST-003", Trust, "a certificate signature does not verify", "the certificate was altered or forged";
    /// A certificate expired at the verification time.
    CertExpired = 2204, "ZZ-E-TRUST-004", Trust, "a certificate had expired at the verification time", "check --at; licences signed before expiry verify with --at set to their issue time";
    /// A certificate not yet valid at the verification time.
    CertNotYetValid = 2205, "ZZ-E-TRUST-005", Trust, "a certificate was not yet valid at the verification time", "check the clock and --at";
    /// A certificate that signs others without being a CA.
    CertNotCa = 2206, "ZZ-E-TRUST-006", Trust, "a certificate that signs others is not a CA", "issuer certificates must be signed by a CA certificate (basicConstraints CA:TRUE)";
    /// A certificate without the key usage its role needs.
    CertKeyUsage = 2207, "ZZ-E-TRUST-007", Trust, "a certificate lacks the key usage its role needs", "CA certificates need keyCertSign; signing certificates need digitalSignature";
    /// The signing certificate is bound to another 统一社会信用代码 than the licence's issuer.
    CertNameBinding = 2208, "ZZ-E-TRUST-008", Trust, "the signing certificate belongs to another department than the licence's issuer", "a department signs only licences it issues";
    /// The signing certificate may not sign this licence type.
    CertTypeNotAllowed = 2209, "ZZ-E-TRUST-009", Trust, "the signing certificate may not sign this licence type", "use a signing certificate whose type restriction includes this type";
    /// An unsupported or inconsistent algorithm in a certificate.
    CertAlgorithm = 2210, "ZZ-E-TRUST-010", Trust, "unsupported or inconsistent certificate algorithm", "certificates use Ed25519, ECDSA P-256 with SHA-256, or SM2-with-SM3 (1.2.156.10197.1.501)";
    /// A signing (end-entity) certificate that is a CA, or a path longer than allowed.
    CertPath = 2211, "ZZ-E-TRUST-011", Trust, "the certificate path is not allowed (a CA signing licences, or a path too long)", "sign licences with an end-entity certificate issued under the root";

    /// A signing key that cannot be read.
    KeyMalformed = 2301, "ZZ-E-KEY-001", Key, "the key cannot be read (PKCS#8 PEM expected)", "keys are PKCS#8 PEM files made by `zhengzhao authority`";
    /// A key algorithm this library does not support.
    KeyAlgorithm = 2302, "ZZ-E-KEY-002", Key, "unsupported key algorithm", "keys are Ed25519, ECDSA P-256 or SM2";
    /// A key file that cannot be read or written.
    KeyIo = 2303, "ZZ-E-KEY-003", Key, "the key file cannot be read or written", "check the path and its permissions";
    /// A private key file that others can read.
    KeyPermissions = 2304, "ZZ-E-KEY-004", Key, "the private key file is readable by others", "chmod 600 the key file";
    /// The signing operation failed.
    KeySign = 2305, "ZZ-E-KEY-005", Key, "the signing operation failed", "check the key store (or HSM)";
    /// An SM2 user ID (distinguishing identifier) too long for the 16-bit ENTL field of ZA.
    Sm2UserId = 2306, "ZZ-E-KEY-006", Key, "the SM2 user ID is longer than 8191 bytes", "use the default user ID 1234567812345678 unless the protocol names another";

    /// The licence's validity period ended before the verification time.
    LicenceExpired = 2401, "ZZ-E-STATUS-001", Status, "the licence had expired at the verification time", "a renewed (延续) licence has a new version: look it up";
    /// The licence's validity period starts after the verification time.
    LicenceNotYetValid = 2402, "ZZ-E-STATUS-002", Status, "the licence was not yet valid at the verification time", "check --at";
    /// The status list marks the licence as not in force.
    LicenceRevoked = 2403, "ZZ-E-STATUS-003", Status, "the status list marks the licence as revoked, suspended or otherwise not in force", "ask the issuer about the licence's status";
    /// A status list that cannot be used.
    StatusList = 2404, "ZZ-E-STATUS-004", Status, "the status list is malformed, unsigned or does not cover the licence", "use the status list snapshot the registry exported with the bundle";

    /// The database failed to read or write.
    StorageDatabase = 2501, "ZZ-E-STORE-001", Storage, "the registry database failed to read or write", "check the disk (space, permissions, errors) and the registry folder";
    /// The folder is not a registry.
    StorageNotRegistry = 2502, "ZZ-E-STORE-002", Storage, "the folder is not a zhengzhao registry", "give the folder made by `zhengzhao init`, or create a registry there";
    /// The registry was written by another version of the schema.
    StorageSchema = 2503, "ZZ-E-STORE-003", Storage, "the registry's schema version is not the one this program reads", "use the zhengzhao version that made the registry, or migrate it";
    /// Another process (or another handle in this one) has the registry open for writing.
    StorageLocked = 2504, "ZZ-E-STORE-004", Storage, "the registry is open for writing elsewhere", "one process writes a registry: close the other one (window systems open read-only secondaries)";
    /// The holder-index secret is missing, unreadable, readable by others or not this registry's.
    StorageSecret = 2505, "ZZ-E-STORE-005", Storage, "the holder-index secret is missing, unreadable, readable by others or not this registry's", "restore the registry's holder.secret file (chmod 600) from its backup";
    /// A stored record that does not decode.
    StorageCorrupt = 2506, "ZZ-E-STORE-006", Storage, "a stored record is corrupt", "restore the registry from a backup and report the record named in the message";
    /// A registry cannot be created in a folder that is not empty.
    StorageExists = 2507, "ZZ-E-STORE-007", Storage, "the folder is not empty: a registry is created in a new or empty folder", "choose a new folder, or open the existing registry";
    /// A write (or a logged lookup) on a read-only secondary instance.
    StorageReadOnly = 2508, "ZZ-E-STORE-008", Storage, "the registry handle is a read-only secondary", "write through the process that opened the registry for writing; secondaries read and look up (their uses are journaled for the writer to log)";

    /// No licence with this identifier in the registry.
    LicenceNotFound = 2601, "ZZ-E-LIFE-001", Lifecycle, "no licence with this identifier in the registry", "check the identifier; look licences up by holder with the lookup call";
    /// A lifecycle step that the licence's state does not allow.
    IllegalTransition = 2602, "ZZ-E-LIFE-002", Lifecycle, "the licence's state does not allow this step", "see the transition table in crates/zhengzhao-registry/README.md (e.g. a revoked licence cannot be resumed)";
    /// An issuance, change or renewal request that is inconsistent.
    LifecycleRequest = 2603, "ZZ-E-LIFE-003", Lifecycle, "the issuance, change or renewal request is inconsistent", "correct the field named in the message";
    /// The registry cannot allocate an identifier or status-list entry.
    Allocation = 2604, "ZZ-E-LIFE-004", Lifecycle, "no serial, version or status-list entry is left to allocate", "the issuer's serials or the licence's versions are exhausted: report it";
    /// No signing source, or it has no key for the issuer.
    NoSigner = 2605, "ZZ-E-LIFE-005", Lifecycle, "the registry has no signing key for this issuer", "open the registry with a signer source (the authority folder) that holds the department's key";
    /// A licence of the type with this 证照编号 is already in the registry.
    NumberTaken = 2606, "ZZ-E-LIFE-006", Lifecycle, "a licence of this type with this 证照编号 is already in the registry", "a licence is issued once: change or renew the existing one (its identifier is in the message)";
    /// The licence is not in the form the operation needs (an imported OFD file, or a credential this registry signed).
    LicenceForm = 2607, "ZZ-E-LIFE-007", Lifecycle, "the licence is not in the form this needs: an imported OFD file is served as sealed, not signed, changed or renewed here", "export an OFD licence as ofd or gbt36903; change or renew it where it was issued and import the new file";

    /// A grant or consent request that is not well formed.
    GrantRequest = 2701, "ZZ-E-GRANT-001", Grant, "the grant or consent request is not well formed", "correct the field named in the message";
    /// No such grant or consent.
    GrantNotFound = 2702, "ZZ-E-GRANT-002", Grant, "no such grant or consent", "list the organisation's grants to see what is there";
    /// A consent for a licence type that does not need one.
    ConsentNotRequired = 2703, "ZZ-E-GRANT-003", Grant, "the licence type does not require the holder's consent", "consent is recorded only for types whose catalogue entry says consent = true";

    /// A window request (用证) that is not well formed.
    WindowRequest = 2801, "ZZ-E-WINDOW-001", Window, "the window request is not well formed", "correct the field named in the message (use reason: 1–200 characters)";

    /// A Merkle proof of the wrong length, or with a hash that is not 32 bytes.
    LogProofMalformed = 2901, "ZZ-E-LOG-001", Log, "the Merkle proof is malformed (wrong number of hashes, or a hash that is not 32 bytes)", "ask the registry for the proof again, for exactly the leaf index and tree sizes being checked";
    /// A Merkle proof that leads to another root than the one it is checked against.
    LogProofInvalid = 2902, "ZZ-E-LOG-002", Log, "the Merkle proof does not verify against the root", "the log entry, the proof or the checkpoint was altered, or the log forked: keep all three as evidence";
    /// A leaf index or tree size outside the tree (or a consistency proof from the empty tree).
    LogRange = 2903, "ZZ-E-LOG-003", Log, "the leaf index or tree size is outside the log", "a leaf index is below the tree size, and a consistency proof goes from a non-empty older size to a newer one";
    /// A signed note or checkpoint that is not well formed.
    LogCheckpointMalformed = 2904, "ZZ-E-LOG-004", Log, "the checkpoint is not a well-formed signed note (c2sp.org/tlog-checkpoint)", "use the checkpoint exactly as the registry wrote it: no changed line endings, spaces or encodings";
    /// A signature by a known log key that does not verify.
    LogCheckpointSignature = 2905, "ZZ-E-LOG-005", Log, "a signature on the checkpoint by a known log key does not verify", "the checkpoint was altered after signing: fetch it again from the registry";
    /// No signature on the note by any key the verifier knows.
    LogCheckpointUnverified = 2906, "ZZ-E-LOG-006", Log, "no key the verifier knows signed the checkpoint", "configure the log's verifier key (<name>+<key ID>+<key>), as the registry publishes it";
    /// A checkpoint of another log than the one expected.
    LogCheckpointOrigin = 2907, "ZZ-E-LOG-007", Log, "the checkpoint is of another log", "check the origin the auditor expects against the log's published origin";
    /// A verifier key or key name that is not valid.
    LogKey = 2908, "ZZ-E-LOG-008", Log, "the log verifier key or key name is not valid", "a verifier key reads <name>+<8 hex digits>+<base64 of 0x01 and the 32-byte Ed25519 key>; names have no spaces or '+'";

    /// A mapping file that cannot be used, or a file whose columns it cannot map.
    ImportMapping = 3001, "ZZ-E-IMPORT-001", Import, "the import mapping cannot be used with this file", "fix the mapping file (docs/import.md) or the file's header, as the message says";
    /// A file to import that cannot be read at all (no header, unreadable).
    ImportSource = 3002, "ZZ-E-IMPORT-002", Import, "the file to import cannot be read", "give a CSV with a header row or a JSON Lines file, in UTF-8 or GB18030 (--encoding)";
    /// A row of an import file that cannot be read or converted.
    ImportRow = 3003, "ZZ-E-IMPORT-003", Import, "a row of the import file cannot be read or converted", "correct the row and column named in the report, then run the import again: rows already issued are skipped";

    /// Not a readable OFD package (zip): truncated, corrupt, encrypted or an unsupported compression.
    OfdPackage = 3101, "ZZ-E-OFD-001", Ofd, "not a readable OFD package (zip): truncated, corrupt, encrypted or an unsupported compression", "give the .ofd file as it was issued; a copy cut short in transfer gives this";
    /// The OFD package is beyond the limits on entries, sizes or compression ratio.
    OfdLimit = 3102, "ZZ-E-OFD-002", Ofd, "the OFD package is beyond the limits on entries, sizes or compression ratio", "a zip bomb or a package far larger than a licence; if it is genuine, raise the limits (ofd::Limits)";
    /// An entry name in the OFD package is absolute, leaves the package or is duplicated.
    OfdPath = 3103, "ZZ-E-OFD-003", Ofd, "an entry name in the OFD package is absolute, leaves the package or is duplicated", "the package was forged or broken: do not trust it";
    /// An entry that the OFD package names is missing.
    OfdMissing = 3104, "ZZ-E-OFD-004", Ofd, "an entry that the OFD package names is missing", "the package is incomplete: get the original file again";
    /// An XML file of the OFD package is malformed or lacks what GB/T 33190 requires.
    OfdXml = 3105, "ZZ-E-OFD-005", Ofd, "an XML file of the OFD package is malformed or lacks what GB/T 33190 requires", "the package is broken or not OFD";
    /// The OFD package carries no signature.
    OfdUnsigned = 3106, "ZZ-E-OFD-006", Ofd, "the OFD package carries no signature", "an unsealed OFD proves nothing: ask for the sealed original";
    /// An entry the signature protects was changed after signing.
    OfdContentChanged = 3107, "ZZ-E-OFD-007", Ofd, "an entry the signature protects was changed after signing", "the document was altered: do not accept it";
    /// The signature's digest method is not SM3, so nothing it protects can be confirmed.
    OfdCheckMethod = 3108, "ZZ-E-OFD-008", Ofd, "the signature's digest method is not SM3, so nothing it protects can be confirmed", "OFD signatures digest entries with SM3 (CheckMethod SM3 or 1.2.156.10197.1.401)";
    /// The signed value is not a seal signature, SignedData or SM2 signature that can be read.
    OfdSignedValue = 3109, "ZZ-E-OFD-009", Ofd, "the signed value is not a seal signature, SignedData or SM2 signature that can be read", "the signature file is damaged or of an unknown form";
    /// The signed value is over another Signature.xml than the one beside it.
    OfdDataHash = 3110, "ZZ-E-OFD-010", Ofd, "the signed value is over another Signature.xml than the one beside it", "Signature.xml was rewritten after signing: do not accept the document";
    /// The signer's SM2 signature does not verify.
    OfdSignerSignature = 3111, "ZZ-E-OFD-011", Ofd, "the signer's SM2 signature does not verify", "the signature or the document was altered, or it was signed with another key or user ID";
    /// The seal maker's signature on the electronic seal does not verify.
    OfdSealSignature = 3112, "ZZ-E-OFD-012", Ofd, "the seal maker's signature on the electronic seal does not verify", "the seal was forged or altered: do not accept the document";
    /// The seal file beside the signature is not the seal inside it.
    OfdSealFile = 3113, "ZZ-E-OFD-013", Ofd, "the seal file beside the signature is not the seal inside it", "the seal file was replaced after signing";
    /// The signer's certificate is not among those the seal was made for.
    OfdSignerNotInSeal = 3114, "ZZ-E-OFD-014", Ofd, "the signer's certificate is not among those the seal was made for", "someone other than the seal's holders applied it";
    /// The document was signed outside the validity of the signer's certificate or of the seal.
    OfdOutsideValidity = 3115, "ZZ-E-OFD-015", Ofd, "the document was signed outside the validity of the signer's certificate or of the seal", "a seal or certificate used before or after its validity proves nothing";
    /// The signature carries no certificate: the signer's must be given.
    OfdKeyRequired = 3116, "ZZ-E-OFD-016", Ofd, "the signature carries no certificate: the signer's must be given", "pass the signer's certificate (--certs, certificates=)";
    /// A later signature rewrote the signature list this one protected.
    OfdSignaturesRewritten = 3117, "ZZ-E-OFD-017", Ofd, "a later signature rewrote the signature list this one protected", "expected when a producer protects Signatures.xml and a second seal is added; check the later signature";
    /// The signature uses another algorithm than SM2 with SM3.
    OfdAlgorithm = 3118, "ZZ-E-OFD-018", Ofd, "the signature uses another algorithm than SM2 with SM3", "OFD seals and signatures are verified for SM2-with-SM3 only";
    /// The OFD licence lacks metadata items needed to register it.
    OfdMetadataMissing = 3119, "ZZ-E-OFD-019", Ofd, "the OFD licence lacks metadata items needed to register it (the file does not carry them under its seals)", "supply the missing items, read from the licence itself, as GB/T 36903 keys (import-ofd --fields FILE.json)";
    /// A supplied item differs from what the sealed OFD licence says.
    OfdMetadataConflict = 3120, "ZZ-E-OFD-020", Ofd, "a supplied metadata item differs from what the sealed OFD licence says", "the sealed value wins: correct the supplied item or leave it out";
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
