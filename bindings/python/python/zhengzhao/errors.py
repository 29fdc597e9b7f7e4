"""The exceptions of zhengzhao.

Every error the library raises is an instance of :class:`Error`, of the subclass of its
family, and carries the stable code shared with Rust, the C ABI and the command line::

    try:
        zhengzhao.Identifier.parse("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.X")
    except zhengzhao.IdentifierError as e:
        e.code     # 'ZZ-E-ID-006'
        e.number   # 1006, the C status
        e.message  # what is wrong
        e.hint     # what to do about it
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

__all__ = [
    "Error",
    "IdentifierError",
    "CodeError",
    "CatalogError",
    "SchemaError",
    "FormatError",
    "SignatureError",
    "TrustError",
    "SigningKeyError",
    "StatusError",
    "UsageError",
    "IoError",
    "StorageError",
    "LifecycleError",
    "GrantError",
    "WindowError",
    "LogError",
    "BulkImportError",
    "OfdError",
]


class Error(Exception):
    """Any error of zhengzhao: ``code`` (``ZZ-E-…``), ``number``, ``message`` and ``hint``."""

    code: str
    number: int
    message: str
    hint: str
    details: Optional[Any]

    def __init__(
        self, code: str, message: str, number: int, hint: str, details: Optional[Any] = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.number = number
        self.hint = hint
        self.details = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class IdentifierError(Error):
    """A GB/T 36904 licence identifier that is malformed or whose check character is wrong."""


class CodeError(Error):
    """A holder or issuer code: 统一社会信用代码, 公民身份号码, 行政区划代码."""


class CatalogError(Error):
    """The catalogue of licence types: an unknown type, or a bad definition."""


class SchemaError(Error):
    """Licence data that does not satisfy its type. ``violations`` lists every one."""

    @property
    def violations(self) -> List[Dict[str, Any]]:
        """Each violation: ``path``, ``rule``, ``value`` and ``message``."""
        d = self.details if isinstance(self.details, dict) else {}
        return list(d.get("violations", []))


class FormatError(Error):
    """A document that cannot be read: JSON, JCS, PEM, bundles, tokens, QR payloads."""


class SignatureError(Error):
    """A proof or signature that does not verify."""


class TrustError(Error):
    """A certificate, or its path to a trust anchor."""


class SigningKeyError(Error):
    """A signing key or key file."""


class StatusError(Error):
    """A licence that is not in force: its validity period, or a status list."""


class UsageError(Error):
    """A call with wrong arguments, or on a closed object."""


class IoError(Error):
    """A file or device that cannot be read or written."""


class StorageError(Error):
    """The registry's storage: its folder, database, schema, holder-index secret."""


class LifecycleError(Error):
    """Licences in the registry and their lifecycle (issue, change, renew, revoke, …)."""


class GrantError(Error):
    """Grants to using organisations and holders' consent."""


class WindowError(Error):
    """A window request (用证) and its context."""


class LogError(Error):
    """The usage log: Merkle proofs and signed checkpoints."""


class BulkImportError(Error):
    """Bulk import of legacy records: the mapping, the file, its rows."""


class OfdError(Error):
    """A sealed OFD package that cannot be read: not a zip, beyond the limits, unsafe names,
    missing entries, malformed XML. (What is wrong with a signature is in the report.)"""


# The class of each error family (the native module raises through this table).
_FAMILIES = {
    "identifier": IdentifierError,
    "code": CodeError,
    "catalog": CatalogError,
    "schema": SchemaError,
    "format": FormatError,
    "signature": SignatureError,
    "trust": TrustError,
    "key": SigningKeyError,
    "status": StatusError,
    "usage": UsageError,
    "io": IoError,
    "storage": StorageError,
    "lifecycle": LifecycleError,
    "grant": GrantError,
    "window": WindowError,
    "log": LogError,
    "import": BulkImportError,
    "ofd": OfdError,
}
