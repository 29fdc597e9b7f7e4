"""zhengzhao (证照): China's government electronic licences.

The catalogue of licence types, identifiers, issuance into a RocksDB registry, the window
lookup that makes a paper material 免提交, conversion of legacy records, and offline
verification of licences, bundles and the usage log with nothing but root certificates.

A thin shell over the Rust library: every rule lives there, and this package passes plain
data in and out. Errors are :class:`zhengzhao.Error` subclasses carrying the stable codes
shared with the C ABI and the command line. See ``docs/python.md``.
"""

import collections.abc as _abc

from ._zhengzhao import (
    Answer,
    Authority,
    BundleReport,
    Catalog,
    Check,
    Identifier,
    ImportResult,
    Issued,
    LicenceType,
    Registry,
    Replies,
    Sampler,
    VerificationReport,
    Verifier,
    __version__,
    canonicalize,
    error_codes,
    generate_key,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
    verify_ofd,
)
from .errors import (
    BulkImportError,
    CatalogError,
    CodeError,
    Error,
    FormatError,
    GrantError,
    IdentifierError,
    IoError,
    LifecycleError,
    LogError,
    OfdError,
    SchemaError,
    SignatureError,
    SigningKeyError,
    StatusError,
    StorageError,
    TrustError,
    UsageError,
    WindowError,
)

# A sequence in the sense of the standard library: isinstance(replies, Sequence) holds.
_abc.Sequence.register(Replies)

__all__ = [
    "Answer",
    "Authority",
    "BundleReport",
    "Catalog",
    "Check",
    "Identifier",
    "ImportResult",
    "Issued",
    "LicenceType",
    "Registry",
    "Replies",
    "Sampler",
    "VerificationReport",
    "Verifier",
    "__version__",
    "canonicalize",
    "error_codes",
    "generate_key",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_ofd",
    "BulkImportError",
    "CatalogError",
    "CodeError",
    "Error",
    "FormatError",
    "GrantError",
    "IdentifierError",
    "IoError",
    "LifecycleError",
    "LogError",
    "OfdError",
    "SchemaError",
    "SignatureError",
    "SigningKeyError",
    "StatusError",
    "StorageError",
    "TrustError",
    "UsageError",
    "WindowError",
]
