//! Configuration and policy for Rampart: the `.rampart.yaml` file (checks, severities,
//! parameters, ignored paths, exceptions for checks, node items and vulnerabilities),
//! suppression annotations, baselines, and the single policy step that decides which
//! findings count. (Vulnerability findings go through `rampart_vuln::policy`, which reads
//! the [`VulnException`]s parsed here.)
//!
//! No file I/O here: callers pass texts in and write texts out.

mod baseline;
mod config;
mod date;
mod glob;
pub mod policy;

pub use baseline::{BASELINE_VERSION, Baseline, BaselineEntry};
pub use config::{
    Admission, CheckSettings, Config, ConfigError, Exception, Mode, NodeException, VulnException,
};
pub use date::Date;
pub use glob::path_matches;

/// The file name searched for from the current directory upward.
pub const CONFIG_FILE_NAME: &str = ".rampart.yaml";
