//! Signing keys: Ed25519 and ECDSA P-256, PKCS#8 PEM, and the `Signer` trait.
