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
