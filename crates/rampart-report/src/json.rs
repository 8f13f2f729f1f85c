//! The JSON report: a public, versioned contract documented in docs/json-output.md.
//!
//! The document is serialized straight from the scan's data through borrowed views, not
//! built as a `serde_json::Value` tree first: a scan of 50,000 objects has hundreds of
//! thousands of findings, and a tree of them cost more memory than the objects themselves.

use std::collections::BTreeMap;
use std::io::{self, Write};

use rampart_checks::{Category, Finding, Severity, Suppression};
use rampart_model::{Diagnostic, Level};
use serde::Serialize;
use serde::ser::Serializer;

use crate::{NotEvaluated, Report};

/// Bumped on any incompatible change to the JSON report.
pub const JSON_SCHEMA_VERSION: &str = "1.0";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Doc<'a> {
    schema_version: &'static str,
    tool: Tool<'a>,
    findings: Findings<'a>,
    diagnostics: Diagnostics<'a>,
    summary: SummaryOut<'a>,
    result: ResultOut,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

/// Every finding, serialized one at a time.
struct Findings<'a>(&'a Report<'a>);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        s.collect_seq(r.findings.iter().map(|f| FindingOut::new(r, f)))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingOut<'a> {
    check: &'a str,
    title: Option<&'static str>,
    severity: Severity,
    category: Option<Category>,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    object: ObjectOut<'a>,
    container: Option<&'a str>,
    path: &'a str,
    fingerprint: &'a str,
    remediation: Option<&'static str>,
    suppressed: Option<&'a Suppression>,
    in_baseline: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

impl<'a> FindingOut<'a> {
    fn new(r: &'a Report<'a>, f: &'a Finding) -> FindingOut<'a> {
        let o = &r.objects[f.object];
        let meta = r.meta(f.check);
        FindingOut {
            check: f.check,
            title: meta.map(|m| m.title),
            severity: f.severity,
            category: meta.map(|m| m.category),
            message: &f.message,
            file: &o.source.name,
            line: f.pos.line,
            column: f.pos.col,
            object: ObjectOut {
                api_version: &o.api_version,
                kind: &o.kind,
                namespace: o.namespace.as_deref(),
                name: &o.name,
            },
            container: f.container.as_deref(),
            path: &f.path,
            fingerprint: &f.fingerprint,
            remediation: meta.map(|m| m.remediation),
            suppressed: f.suppressed.as_ref(),
            in_baseline: f.in_baseline,
        }
    }
}

struct Diagnostics<'a>(&'a [Diagnostic]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|d| DiagnosticOut {
            level: match d.level {
                Level::Error => "error",
                Level::Warning => "warning",
            },
            file: &d.file,
            line: d.pos.map(|p| p.line),
            column: d.pos.map(|p| p.col),
            message: &d.message,
        }))
    }
}

#[derive(Serialize)]
struct DiagnosticOut<'a> {
    level: &'static str,
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SummaryOut<'a> {
    files: FilesOut<'a>,
    documents_not_kubernetes: usize,
    objects: ObjectsOut<'a>,
    not_evaluated: NotEvaluatedOut<'a>,
    findings: FindingCounts,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct FilesOut<'a> {
    read: usize,
    skipped: &'a BTreeMap<String, usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectsOut<'a> {
    total: usize,
    by_kind: &'a BTreeMap<String, usize>,
}

struct NotEvaluatedOut<'a>(&'a [NotEvaluated]);

impl Serialize for NotEvaluatedOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|n| NotEvaluatedItem {
            file: &n.file,
            line: n.pos.line,
            object: &n.object,
            reason: &n.reason,
        }))
    }
}

#[derive(Serialize)]
struct NotEvaluatedItem<'a> {
    file: &'a str,
    line: u32,
    object: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingCounts {
    total: usize,
    by_severity: BTreeMap<&'static str, usize>,
    suppressed: usize,
    in_baseline: usize,
    counted: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut {
    fail_on: Severity,
    failing: usize,
    passed: bool,
}

/// Writes the report as pretty JSON with a trailing newline.
pub fn write(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut by_severity: BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let (mut suppressed, mut in_baseline, mut counted) = (0, 0, 0);
    for f in r.findings {
        if f.suppressed.is_some() {
            suppressed += 1;
        } else if f.in_baseline {
            in_baseline += 1;
        } else {
            counted += 1;
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
        }
    }
    let errors = r.diagnostics.iter().filter(|d| d.level == Level::Error).count();
    let failing = r.failing().count();
    let s = r.summary;
    let doc = Doc {
        schema_version: JSON_SCHEMA_VERSION,
        tool: Tool {
            name: "rampart",
            version: r.tool_version,
        },
        findings: Findings(r),
        diagnostics: Diagnostics(r.diagnostics),
        summary: SummaryOut {
            files: FilesOut {
                read: s.files_read,
                skipped: &s.files_skipped,
            },
            documents_not_kubernetes: s.documents_not_kubernetes,
            objects: ObjectsOut {
                total: r.objects.len(),
                by_kind: &s.objects_by_kind,
            },
            not_evaluated: NotEvaluatedOut(&s.not_evaluated),
            findings: FindingCounts {
                total: r.findings.len(),
                by_severity,
                suppressed,
                in_baseline,
                counted,
            },
            errors,
            warnings: r.diagnostics.len() - errors,
        },
        result: ResultOut {
            fail_on: r.fail_on,
            failing,
            passed: failing == 0 && errors == 0,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Renders the report as pretty JSON with a trailing newline.
pub fn render(r: &Report<'_>) -> String {
    let mut out = Vec::new();
    // Writing to memory fails only if serialization does, and every field here is a
    // string, number or map with string keys.
    let _ = write(r, &mut out);
    String::from_utf8(out).unwrap_or_default()
}
