//! Findings are facts about an object; whether they are suppressed or fail a build is
//! decided afterwards by policy.

use rampart_model::{Object, Pos};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::meta::Severity;

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// `annotation` or `exception`.
    pub kind: SuppressionKind,
    /// The justification written by the person who suppressed it.
    pub reason: String,
    /// Where the suppression is declared (`file:line` of the annotation or exception).
    pub source: String,
    /// `YYYY-MM-DD`, when the suppression expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    Annotation,
    Exception,
}

/// One problem found by one check in one object.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Index of the object in the scan's object list.
    pub object: usize,
    /// The container the finding is about, when there is one.
    pub container: Option<String>,
    /// Dotted path of the field inside the object (`spec.template.spec.containers[0].image`).
    pub path: String,
    /// The line and column to change (the field, or its nearest existing parent).
    pub pos: Pos,
    /// Stable identity: depends on what the finding is about, never on file or line.
    pub fingerprint: String,
    /// Boxed: most findings have none, and a scan holds hundreds of thousands of findings.
    pub suppressed: Option<Box<Suppression>>,
    /// Whether the finding was already recorded in the baseline given with `--baseline`.
    pub in_baseline: bool,
}

impl Finding {
    /// Whether the finding counts toward the exit code.
    pub fn counts(&self) -> bool {
        self.suppressed.is_none() && !self.in_baseline
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The fingerprint of a finding: a hash of the check id, the object's API group, kind,
/// namespace and name, the container name, and the field path relative to the container
/// (or to the object). The API version is left out on purpose so that moving a Deployment
/// from `extensions/v1beta1` to `apps/v1` keeps its findings' identity; container indexes
/// are left out so that reordering containers does too.
pub fn fingerprint(check: &str, obj: &Object, container: Option<&str>, rel_path: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        check,
        obj.group(),
        obj.kind.as_str(),
        obj.namespace.as_deref().unwrap_or(""),
        obj.name.as_str(),
        container.unwrap_or(""),
        rel_path,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut s = String::with_capacity(32);
    for b in &digest[..16] {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}
