//! Baselines: the findings a repository already had when it adopted Rampart. With a
//! baseline, only new findings count toward the exit code.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// The version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// One remembered finding; only `fingerprint` is used for matching, the rest helps people
/// reading the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub check: String,
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| format!("line {}: {e}", e.line()))?;
        if b.version != BASELINE_VERSION {
            return Err(format!(
                "unsupported baseline version {} (expected {BASELINE_VERSION})",
                b.version
            ));
        }
        Ok(b)
    }

    pub fn fingerprints(&self) -> HashSet<String> {
        self.findings.iter().map(|f| f.fingerprint.clone()).collect()
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
