//! Scoring: the checks' control mapping inverted per standard, applied to one scan's
//! objects and findings.

use std::collections::BTreeMap;

use rampart_checks::{Check, Finding, Severity, Suppression};
use rampart_model::Object;
use serde::Serialize;

use crate::catalog::{Assessment, Control, Standard};

/// A control's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A finding of a mapped check counts against it.
    Fail,
    /// Every finding of the mapped checks is covered by an exception or annotation.
    PassWithException,
    Pass,
    /// No check evidences it: a person assesses it, with the catalog's guidance.
    Manual,
    /// The mapped checks judge kinds of objects the scan does not contain.
    NotApplicable,
    /// Not assessed by this command: node controls, or every mapped check disabled.
    NotAssessed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::PassWithException => "pass-with-exception",
            Status::Pass => "pass",
            Status::Manual => "manual",
            Status::NotApplicable => "not-applicable",
            Status::NotAssessed => "not-assessed",
        }
    }

    /// Whether the control counts as passed in the score.
    pub fn passed(self) -> bool {
        matches!(self, Status::Pass | Status::PassWithException)
    }

    /// Whether the control counts in the score at all.
    pub fn assessed(self) -> bool {
        matches!(self, Status::Pass | Status::PassWithException | Status::Fail)
    }
}

/// One finding that makes a control fail, or that an exception covers.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub check: &'static str,
    pub severity: Severity,
    /// `Kind namespace/name`.
    pub object: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub file: String,
    pub line: u32,
    pub message: String,
    /// The exception or annotation that covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlResult<'s> {
    #[serde(flatten)]
    pub control: &'s Control,
    pub status: Status,
    /// The checks that evidence the control (enabled or not).
    pub checks: Vec<&'static str>,
    /// Mapped checks that did not run (disabled in the configuration).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disabled_checks: Vec<&'static str>,
    /// Unsuppressed findings that fail the control.
    pub failures: Vec<Evidence>,
    /// Suppressed findings: passed with an exception.
    pub exceptions: Vec<Evidence>,
    /// What to do, in plain words: the remediation of the failing checks, or the guidance
    /// of a manual control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    pub passed: usize,
    pub assessed: usize,
}

impl Score {
    /// Passed automated controls / assessed automated controls, in percent; none when
    /// nothing was assessed.
    pub fn percent(self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.assessed > 0).then(|| self.passed as f64 * 100.0 / self.assessed as f64)
    }

    fn add(&mut self, s: Status) {
        if s.assessed() {
            self.assessed += 1;
            if s.passed() {
                self.passed += 1;
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionResult {
    pub id: String,
    pub title: String,
    pub score: Score,
    #[serde(serialize_with = "ser_percent")]
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StandardResult<'s> {
    pub id: &'s str,
    pub title: &'s str,
    pub version: &'s str,
    pub score: Score,
    #[serde(serialize_with = "ser_percent")]
    pub percent: Option<f64>,
    /// Controls per status.
    pub counts: BTreeMap<&'static str, usize>,
    pub sections: Vec<SectionResult>,
    pub controls: Vec<ControlResult<'s>>,
}

#[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)]
fn ser_percent<S: serde::Serializer>(p: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(v) => s.serialize_f64((v * 10.0).round() / 10.0),
        None => s.serialize_none(),
    }
}

/// The controls each check names, for `standard`: control id -> checks.
pub fn mapping<'a>(
    standard: &str,
    checks: impl IntoIterator<Item = &'a &'static Check>,
) -> BTreeMap<String, Vec<&'static str>> {
    let mut out: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for c in checks {
        for r in c.meta.controls {
            if let Some((s, control)) = r.split_once(':')
                && s == standard
            {
                out.entry(control.to_string()).or_default().push(c.meta.id);
            }
        }
    }
    out
}

fn evidence(f: &Finding, objects: &[Object]) -> Evidence {
    let o = &objects[f.object];
    Evidence {
        check: f.check,
        severity: f.severity,
        object: o.display(),
        kind: o.kind.clone(),
        namespace: o.namespace.clone(),
        file: o.source.name.clone(),
        line: f.pos.line,
        message: f.message.clone(),
        suppressed: f.suppressed.as_deref().cloned(),
    }
}

/// Evaluates one standard. `ran` are the checks that ran; `findings` are theirs, after
/// exceptions and annotations were applied (baselines do not hide compliance failures).
pub fn evaluate<'s>(
    standard: &'s Standard,
    ran: &[&'static Check],
    objects: &[Object],
    findings: &[Finding],
) -> StandardResult<'s> {
    let map = mapping(&standard.id, rampart_checks::all());
    let mut controls = Vec::with_capacity(standard.controls.len());
    for control in &standard.controls {
        let checks = map.get(&control.id).cloned().unwrap_or_default();
        let running: Vec<&'static Check> = ran
            .iter()
            .copied()
            .filter(|c| checks.contains(&c.meta.id))
            .collect();
        let disabled_checks: Vec<&'static str> = checks
            .iter()
            .copied()
            .filter(|id| !running.iter().any(|c| c.meta.id == *id))
            .collect();
        let mut failures = Vec::new();
        let mut exceptions = Vec::new();
        for f in findings.iter().filter(|f| checks.contains(&f.check)) {
            if f.suppressed.is_some() {
                exceptions.push(evidence(f, objects));
            } else {
                failures.push(evidence(f, objects));
            }
        }
        let status = match control.assessment {
            Assessment::Node => Status::NotAssessed,
            _ if checks.is_empty() => Status::Manual,
            _ if running.is_empty() => Status::NotAssessed,
            _ if !failures.is_empty() => Status::Fail,
            _ if !exceptions.is_empty() => Status::PassWithException,
            _ if !objects
                .iter()
                .any(|o| running.iter().any(|c| c.meta.target.applies(o))) =>
            {
                Status::NotApplicable
            }
            _ => Status::Pass,
        };
        let remediation = match status {
            Status::Fail => {
                let mut seen = Vec::new();
                let mut text = Vec::new();
                for e in &failures {
                    if !seen.contains(&e.check) {
                        seen.push(e.check);
                        if let Some(c) = rampart_checks::find(e.check) {
                            text.push(c.meta.remediation.to_string());
                        }
                    }
                }
                Some(text.join(" "))
            }
            Status::Manual | Status::NotAssessed => control.guidance.clone(),
            _ => None,
        };
        controls.push(ControlResult {
            control,
            status,
            checks,
            disabled_checks,
            failures,
            exceptions,
            remediation,
        });
    }
    let mut result = StandardResult {
        id: &standard.id,
        title: &standard.title,
        version: &standard.version,
        score: Score::default(),
        percent: None,
        counts: BTreeMap::new(),
        sections: Vec::new(),
        controls,
    };
    result.rescore(standard);
    result
}

/// One node's result for one node control (`rampart node`), fed into the report of the
/// standard whose catalog it comes from.
#[derive(Debug, Clone)]
pub struct NodeItem {
    pub control: String,
    pub node: String,
    /// `pass`, `fail`, `warn` (manual) or `not-applicable`.
    pub status: String,
    /// What was found, with where (`file:line`) when known.
    pub found: Vec<(String, Option<String>, Option<u32>)>,
    pub remediation: String,
    /// The node exception that accepts a failure.
    pub accepted: Option<Suppression>,
}

impl StandardResult<'_> {
    fn rescore(&mut self, standard: &Standard) {
        let mut score = Score::default();
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for c in &self.controls {
            score.add(c.status);
            *counts.entry(c.status.as_str()).or_default() += 1;
        }
        self.sections = standard
            .sections
            .iter()
            .map(|s| {
                let mut sc = Score::default();
                for c in self.controls.iter().filter(|c| c.control.section == s.id) {
                    sc.add(c.status);
                }
                SectionResult {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    score: sc,
                    percent: sc.percent(),
                }
            })
            .collect();
        self.score = score;
        self.percent = score.percent();
        self.counts = counts;
    }

    /// Assesses the node controls from node audits: a control fails when a node fails it
    /// without an exception, passes with an exception when every failure is accepted,
    /// passes when a node passes it, is manual when nodes leave it to people, and not
    /// applicable when no node has what it is about. Controls no node reported on stay
    /// not assessed.
    pub fn apply_node_items(&mut self, standard: &Standard, items: &[NodeItem]) {
        for c in &mut self.controls {
            if c.control.assessment != Assessment::Node {
                continue;
            }
            let mine: Vec<&NodeItem> = items.iter().filter(|i| i.control == c.control.id).collect();
            if mine.is_empty() {
                continue;
            }
            let evidence = |i: &NodeItem| {
                let (message, file, line) = i.found.first().cloned().unwrap_or_default();
                let message = i
                    .found
                    .iter()
                    .skip(1)
                    .fold(message, |acc, (m, _, _)| format!("{acc}; {m}"));
                Evidence {
                    check: "rampart-node",
                    severity: Severity::High,
                    object: format!("Node {}", i.node),
                    kind: "Node".into(),
                    namespace: None,
                    file: file.unwrap_or_default(),
                    line: line.unwrap_or(0),
                    message,
                    suppressed: i.accepted.clone(),
                }
            };
            c.failures = mine
                .iter()
                .filter(|i| i.status == "fail" && i.accepted.is_none())
                .map(|i| evidence(i))
                .collect();
            c.exceptions = mine
                .iter()
                .filter(|i| i.status == "fail" && i.accepted.is_some())
                .map(|i| evidence(i))
                .collect();
            let any = |s: &str| mine.iter().any(|i| i.status == s);
            c.status = if !c.failures.is_empty() {
                Status::Fail
            } else if !c.exceptions.is_empty() {
                Status::PassWithException
            } else if any("pass") {
                Status::Pass
            } else if any("warn") {
                Status::Manual
            } else {
                Status::NotApplicable
            };
            c.remediation = match c.status {
                Status::Fail => mine
                    .iter()
                    .find(|i| i.status == "fail")
                    .map(|i| i.remediation.clone()),
                Status::Manual => c.control.guidance.clone(),
                _ => None,
            };
        }
        self.rescore(standard);
    }
}
