//! Renders the results of a scan: compiler-style text for people, a versioned JSON
//! document, SARIF 2.1.0 for code-scanning platforms, JUnit XML for CI test views, and
//! GitHub workflow annotations. Renderers are pure: they return strings.

pub mod compliance;
mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::collections::{BTreeMap, HashMap};

use rampart_checks::{Enabled, Finding, Severity};
use rampart_model::{Diagnostic, Object, Pos};

pub use github::render as github;
pub use json::{JSON_SCHEMA_VERSION, render as json, write as write_json};
pub use junit::{render as junit, xml_escape};
pub use sarif::{SARIF_MAX_RESULTS, render as sarif};
pub use text::{TextOptions, render as text};

/// A workload that was read but could not be evaluated, and why.
#[derive(Debug, Clone)]
pub struct NotEvaluated {
    pub file: String,
    pub pos: Pos,
    pub object: String,
    pub reason: String,
}

/// Coverage of a scan: what was read, what was skipped and why, what could not be judged.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Files read and parsed (even partially).
    pub files_read: usize,
    /// Files not scanned, by reason (`excluded`, `empty`, `not-kubernetes`, `error`).
    pub files_skipped: BTreeMap<String, usize>,
    /// YAML documents that were not Kubernetes objects.
    pub documents_not_kubernetes: usize,
    pub objects_by_kind: BTreeMap<String, usize>,
    pub not_evaluated: Vec<NotEvaluated>,
}

/// Everything a renderer needs.
pub struct Report<'a> {
    pub tool_version: &'a str,
    pub objects: &'a [Object],
    pub findings: &'a [Finding],
    pub checks: &'a [Enabled],
    pub diagnostics: &'a [Diagnostic],
    pub summary: &'a Summary,
    /// Findings at or above this severity fail the run.
    pub fail_on: Severity,
    /// SARIF `artifactLocation.uri` for each source name (relative to the repository root).
    pub sarif_uris: &'a HashMap<String, String>,
}

impl Report<'_> {
    /// Findings that count toward the exit code: unsuppressed, not in the baseline, at or
    /// above the threshold.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.counts() && f.severity >= self.fail_on)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.level == rampart_model::Level::Error)
    }

    pub fn meta(&self, check: &str) -> Option<&'static rampart_checks::CheckMeta> {
        rampart_checks::find(check).map(|c| &c.meta)
    }
}
