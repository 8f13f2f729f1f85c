//! SARIF 2.1.0, as GitHub code scanning and other platforms read it: rules with help text
//! and a `security-severity`, results with real regions, `partialFingerprints` for stable
//! identity, and `suppressions` for excepted findings.

use std::fmt::Write as _;

use rampart_checks::{Finding, Severity, SuppressionKind};
use serde_json::{Value, json};

use crate::Report;

/// GitHub code scanning accepts at most 25,000 results per run; beyond that the most
/// severe are kept and a notification says how many were left out.
pub const SARIF_MAX_RESULTS: usize = 25_000;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

fn rule(e: &rampart_checks::Enabled) -> Value {
    let m = &e.check.meta;
    let markdown = format!(
        "**{}**\n\n{}\n\n**Why it matters.** {}\n\n**How to fix.** {}\n\n```yaml\n{}```\n{}",
        m.title,
        m.finds,
        m.why,
        m.remediation,
        m.example,
        m.references.iter().fold(String::new(), |mut acc, r| {
            let _ = write!(acc, "\n- <{r}>");
            acc
        })
    );
    let text = format!("{}\n\nWhy: {}\n\nFix: {}", m.finds, m.why, m.remediation);
    json!({
        "id": m.id,
        "name": m.id,
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": m.finds},
        "help": {"text": text, "markdown": markdown},
        "helpUri": m.references.first(),
        "defaultConfiguration": {"level": level(e.severity)},
        "properties": {
            "tags": ["security", m.category.as_str(), "kubernetes"],
            "precision": "very-high",
            "problem.severity": level(e.severity),
            "security-severity": security_severity(e.severity),
        },
    })
}

fn result(r: &Report<'_>, f: &Finding, rule_index: Option<usize>) -> Value {
    let o = &r.objects[f.object];
    let uri = r
        .sarif_uris
        .get(&o.source.name)
        .cloned()
        .unwrap_or_else(|| o.source.name.clone());
    let mut region = json!({"startLine": f.pos.line.max(1)});
    if f.pos.col > 0 {
        region["startColumn"] = json!(f.pos.col);
    }
    let mut res = json!({
        "ruleId": f.check,
        "level": level(f.severity),
        "message": {"text": format!("{}: {}", o.display(), f.message)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "region": region,
            },
            "logicalLocations": [{
                "name": f.container.clone().unwrap_or_else(|| o.name.clone()),
                "fullyQualifiedName": match &f.container {
                    Some(c) => format!("{}/{}", o.display(), c),
                    None => o.display(),
                },
                "kind": "object",
            }],
        }],
        "partialFingerprints": {"rampart/v1": f.fingerprint},
        "properties": {"path": f.path, "severity": f.severity},
    });
    if let Some(i) = rule_index {
        res["ruleIndex"] = json!(i);
    }
    if let Some(s) = &f.suppressed {
        let mut justification = s.reason.clone();
        if let Some(exp) = &s.expires {
            let _ = write!(justification, " (expires {exp})");
        }
        if let Some(t) = &s.ticket {
            let _ = write!(justification, " [{t}]");
        }
        res["suppressions"] = json!([{
            "kind": match s.kind { SuppressionKind::Annotation => "inSource", SuppressionKind::Exception => "external" },
            "status": "accepted",
            "justification": justification,
            "location": {"physicalLocation": {"artifactLocation": {"uri": s.source}}},
        }]);
    }
    if f.in_baseline {
        res["baselineState"] = json!("unchanged");
    }
    res
}

pub fn render(r: &Report<'_>) -> String {
    let rules: Vec<Value> = r.checks.iter().map(rule).collect();
    let index_of = |id: &str| r.checks.iter().position(|e| e.check.meta.id == id);
    let mut chosen: Vec<&Finding> = r.findings.iter().collect();
    let mut notifications = Vec::new();
    if chosen.len() > SARIF_MAX_RESULTS {
        chosen.sort_by_key(|f| (std::cmp::Reverse(f.counts()), std::cmp::Reverse(f.severity)));
        let dropped = chosen.len() - SARIF_MAX_RESULTS;
        chosen.truncate(SARIF_MAX_RESULTS);
        notifications.push(json!({
            "level": "warning",
            "message": {"text": format!("{dropped} less severe results were left out to stay within the {SARIF_MAX_RESULTS}-result limit of code-scanning uploads; see the JSON report for all of them")},
        }));
    }
    for d in r.diagnostics {
        let mut n = json!({
            "level": match d.level { rampart_model::Level::Error => "error", rampart_model::Level::Warning => "warning" },
            "message": {"text": d.message},
        });
        let uri = r
            .sarif_uris
            .get(&d.file)
            .cloned()
            .unwrap_or_else(|| d.file.clone());
        let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": uri}}});
        if let Some(p) = d.pos.filter(|p| p.is_known()) {
            loc["physicalLocation"]["region"] = json!({"startLine": p.line, "startColumn": p.col.max(1)});
        }
        n["locations"] = json!([loc]);
        notifications.push(n);
    }
    let results: Vec<Value> = chosen.iter().map(|f| result(r, f, index_of(f.check))).collect();
    let mut doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rampart",
                "version": r.tool_version,
                "semanticVersion": r.tool_version,
                "informationUri": "https://github.com/rampart-security/rampart",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": !r.has_errors(),
                "toolExecutionNotifications": [],
            }],
            "results": [],
            "columnKind": "unicodeCodePoints",
        }],
    });
    // Moved in, not written inside `json!`, which would copy every result once more.
    doc["runs"][0]["invocations"][0]["toolExecutionNotifications"] = Value::Array(notifications);
    doc["runs"][0]["results"] = Value::Array(results);
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
