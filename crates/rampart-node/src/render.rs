//! Node reports as text for people and JSON for machines (schema in docs/node.md).

use std::fmt::Write as _;

use crate::{NodeReport, Status};

/// A report for the terminal: one line per item, the evidence and fix under each failure.
pub fn text(r: &NodeReport, color: bool, show_passed: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "CIS Kubernetes Benchmark v1.12, sections 1-4: node {} ({} {}, root {})",
        r.node,
        r.distribution.as_str(),
        r.role.as_str(),
        r.root
    );
    for p in &r.problems {
        let at = p.line.map(|l| format!(":{l}")).unwrap_or_default();
        let _ = writeln!(out, "{} {}{at}: {}", paint("33", "warning:"), p.file, p.message);
    }
    for e in &r.expired_exceptions {
        let _ = writeln!(
            out,
            "{} node exception {e} no longer applies",
            paint("33", "warning:")
        );
    }
    let mut section = String::new();
    for res in &r.results {
        if res.section != section {
            section.clone_from(&res.section);
            let _ = writeln!(out, "\n[{section}]");
        }
        let tag = match (res.status, res.exception.is_some()) {
            (Status::Fail, true) => paint("36", "EXCP"),
            (Status::Fail, false) => paint("31", "FAIL"),
            (Status::Warn, _) => paint("33", "WARN"),
            (Status::Pass, _) => paint("32", "PASS"),
            (Status::NotApplicable, _) => paint("2", "N/A "),
        };
        let _ = writeln!(out, "{tag} {} {}", res.id, res.title);
        let detail = res.status == Status::Fail || (show_passed && res.status == Status::Pass);
        if detail {
            for e in &res.evidence {
                let at = match (&e.file, e.line) {
                    (Some(f), Some(l)) => format!(" ({f}:{l})"),
                    (Some(f), None) => format!(" ({f})"),
                    _ => String::new(),
                };
                let _ = writeln!(out, "       found: {}{at}", e.found);
            }
        }
        if res.status == Status::Fail {
            match &res.exception {
                Some(x) => {
                    let _ = writeln!(out, "       accepted: {} ({})", x.reason, x.source);
                }
                None => {
                    let _ = writeln!(out, "       fix: {}", res.remediation);
                }
            }
        }
    }
    let s = r.summary;
    let _ = writeln!(
        out,
        "\n{} passed, {} failed ({} accepted by exceptions), {} to check by hand, {} not applicable",
        s.pass, s.fail, s.excepted, s.warn, s.not_applicable
    );
    out
}

/// The report as pretty JSON with a trailing newline.
pub fn json(r: &NodeReport) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}

fn evidence_lines(res: &crate::ItemResult) -> String {
    res.evidence
        .iter()
        .map(|e| match (&e.file, e.line) {
            (Some(f), Some(l)) => format!("{} ({f}:{l})", e.found),
            (Some(f), None) => format!("{} ({f})", e.found),
            _ => e.found.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// JUnit XML: one test case per item; failures fail, manual and not-applicable items are
/// skipped with the reason, and accepted failures pass with the exception in their output.
pub fn junit(r: &NodeReport) -> String {
    let failures = r.failing().count();
    let skipped = r
        .results
        .iter()
        .filter(|x| matches!(x.status, Status::Warn | Status::NotApplicable))
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let suite = format!("CIS Kubernetes Benchmark v1.12 node {}", r.node);
    let _ = writeln!(
        out,
        "<testsuites name=\"rampart node\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        r.results.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        rampart_report::xml_escape(&suite),
        r.results.len()
    );
    for res in &r.results {
        let _ = write!(
            out,
            "    <testcase classname=\"cis-1.12.{}\" name=\"{}\"",
            rampart_report::xml_escape(&res.section),
            rampart_report::xml_escape(&format!("{} {}", res.id, res.title))
        );
        match (res.status, &res.exception) {
            (Status::Fail, None) => {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\">{}\nfix: {}</failure>\n    </testcase>",
                    rampart_report::xml_escape(res.evidence.first().map_or("", |e| e.found.as_str())),
                    rampart_report::xml_escape(&evidence_lines(res)),
                    rampart_report::xml_escape(res.remediation)
                );
            }
            (Status::Fail, Some(x)) => {
                let _ = writeln!(
                    out,
                    ">\n      <system-out>{}\naccepted: {} ({})</system-out>\n    </testcase>",
                    rampart_report::xml_escape(&evidence_lines(res)),
                    rampart_report::xml_escape(&x.reason),
                    rampart_report::xml_escape(&x.source)
                );
            }
            (Status::Warn, _) => {
                let why = res.guidance.as_deref().unwrap_or("checked by a person");
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"manual: {}\"/>\n    </testcase>",
                    rampart_report::xml_escape(why)
                );
            }
            (Status::NotApplicable, _) => {
                let why = res
                    .evidence
                    .first()
                    .map_or("not applicable", |e| e.found.as_str());
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    rampart_report::xml_escape(why)
                );
            }
            (Status::Pass, _) => out.push_str("/>\n"),
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// SARIF 2.1.0: a rule per item, a result per failure located at the file (and line) of
/// its evidence on the node; accepted failures carry their exception as a suppression.
pub fn sarif(r: &NodeReport, tool_version: &str) -> String {
    use serde_json::json;
    let rules: Vec<serde_json::Value> = r
        .results
        .iter()
        .map(|x| {
            json!({
                "id": format!("cis-1.12/{}", x.id),
                "name": format!("CIS {}", x.id),
                "shortDescription": {"text": x.title},
                "help": {"text": x.remediation},
                "properties": {"tags": ["cis-kubernetes-1.12", "node", x.section]},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = r
        .results
        .iter()
        .enumerate()
        .filter(|(_, x)| x.status == Status::Fail)
        .map(|(i, x)| {
            let locations: Vec<serde_json::Value> = x
                .evidence
                .iter()
                .filter_map(|e| {
                    let file = e.file.as_ref()?;
                    let mut loc = json!({
                        "physicalLocation": {
                            "artifactLocation": {"uri": file.trim_start_matches('/'), "uriBaseId": "NODEROOT"},
                        }
                    });
                    if let Some(line) = e.line {
                        loc["physicalLocation"]["region"] = json!({"startLine": line});
                    }
                    Some(loc)
                })
                .collect();
            let mut v = json!({
                "ruleId": format!("cis-1.12/{}", x.id),
                "ruleIndex": i,
                "level": "error",
                "message": {"text": format!("node {}: {}. Fix: {}", r.node, evidence_lines(x).replace('\n', "; "), x.remediation)},
                "locations": locations,
                "partialFingerprints": {"rampartNode/v1": format!("{}/{}", r.node, x.id)},
            });
            if let Some(e) = &x.exception {
                v["suppressions"] = json!([{"kind": "external", "justification": format!("{} ({})", e.reason, e.source)}]);
            }
            v
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rampart",
                "version": tool_version,
                "informationUri": "https://github.com/rampart-security/rampart",
                "rules": rules,
            }},
            "originalUriBaseIds": {"NODEROOT": {"uri": "file:///", "description": {"text": format!("the filesystem of node {}", r.node)}}},
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
