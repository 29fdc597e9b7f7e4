//! X.509 certificates: making a root CA and issuer signing certificates, and validating an issuer certificate path to a trust anchor.
