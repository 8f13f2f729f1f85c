//! Vulnerability data: how each ecosystem orders versions ([`version`]), the OSV
//! advisory database, and matching packages against it.
//!
//! Nothing here touches the network or the terminal.

pub mod version;
