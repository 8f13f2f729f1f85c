//! Vulnerability data: how each ecosystem orders versions ([`version`]), OSV advisory
//! records ([`osv`]), the local advisory database built from them ([`store`]), severities
//! ([`severity`]), matching an image's packages against the database ([`matching`]), VEX
//! documents ([`vex`]) and the policy step that suppresses accepted findings ([`policy`]).
//!
//! Nothing here touches the network or the terminal: downloads are the binary's job, and
//! this crate reads and writes only the files and directories it is given.

pub mod matching;
pub mod osv;
pub mod policy;
pub mod report;
pub mod severity;
pub mod store;
pub mod version;
pub mod vex;

pub use matching::{Finding, match_packages};
pub use store::{Builder, Database, Error, Metadata, SourceInfo, SourceKind};
