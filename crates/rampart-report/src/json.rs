//! The JSON report: a public, versioned contract documented in docs/json-output.md.

use std::collections::BTreeMap;

use rampart_checks::{Finding, Severity};
use rampart_model::Level;
use serde_json::{Value, json};

use crate::Report;

/// Bumped on any incompatible change to the JSON report.
pub const JSON_SCHEMA_VERSION: &str = "1.0";

fn finding(r: &Report<'_>, f: &Finding) -> Value {
    let o = &r.objects[f.object];
    let meta = r.meta(f.check);
    json!({
        "check": f.check,
        "title": meta.map(|m| m.title),
        "severity": f.severity,
        "category": meta.map(|m| m.category),
        "message": f.message,
        "file": o.source.name,
        "line": f.pos.line,
        "column": f.pos.col,
        "object": {
            "apiVersion": o.api_version,
            "kind": o.kind,
            "namespace": o.namespace,
            "name": o.name,
        },
        "container": f.container,
        "path": f.path,
        "fingerprint": f.fingerprint,
        "remediation": meta.map(|m| m.remediation),
        "suppressed": f.suppressed,
        "inBaseline": f.in_baseline,
    })
}

/// Renders the report as pretty JSON with a trailing newline.
pub fn render(r: &Report<'_>) -> String {
    let mut by_sev: BTreeMap<&str, usize> = Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let (mut suppressed, mut baseline, mut counted) = (0, 0, 0);
    for f in r.findings {
        if f.suppressed.is_some() {
            suppressed += 1;
        } else if f.in_baseline {
            baseline += 1;
        } else {
            counted += 1;
            *by_sev.entry(f.severity.as_str()).or_default() += 1;
        }
    }
    let errors = r.diagnostics.iter().filter(|d| d.level == Level::Error).count();
    let diagnostics: Vec<Value> = r
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "level": match d.level { Level::Error => "error", Level::Warning => "warning" },
                "file": d.file,
                "line": d.pos.map(|p| p.line),
                "column": d.pos.map(|p| p.col),
                "message": d.message,
            })
        })
        .collect();
    let s = r.summary;
    let mut doc = json!({
        "schemaVersion": JSON_SCHEMA_VERSION,
        "tool": {"name": "rampart", "version": r.tool_version},
        "findings": [],
        "diagnostics": [],
        "summary": {
            "files": {
                "read": s.files_read,
                "skipped": s.files_skipped,
            },
            "documentsNotKubernetes": s.documents_not_kubernetes,
            "objects": {
                "total": r.objects.len(),
                "byKind": s.objects_by_kind,
            },
            "notEvaluated": s.not_evaluated.iter().map(|n| json!({
                "file": n.file, "line": n.pos.line, "object": n.object, "reason": n.reason,
            })).collect::<Vec<_>>(),
            "findings": {
                "total": r.findings.len(),
                "bySeverity": by_sev,
                "suppressed": suppressed,
                "inBaseline": baseline,
                "counted": counted,
            },
            "errors": errors,
            "warnings": r.diagnostics.len() - errors,
        },
        "result": {
            "failOn": r.fail_on,
            "failing": r.failing().count(),
            "passed": r.failing().count() == 0 && errors == 0,
        },
    });
    // Moved in, not written inside `json!`, which would copy every finding once more.
    doc["findings"] = Value::Array(r.findings.iter().map(|f| finding(r, f)).collect());
    doc["diagnostics"] = Value::Array(diagnostics);
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
