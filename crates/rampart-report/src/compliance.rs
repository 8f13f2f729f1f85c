//! Compliance reports: one standard's (or every standard's) controls with their status,
//! the failing objects with file:line, the exceptions auditors ask about, and a score. The
//! JSON document is the reference; text, Markdown, CSV, JUnit and HTML render the same data.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rampart_compliance::{Evidence, StandardResult, Status};
use serde::Serialize;

/// Version of the compliance JSON document; bumped on incompatible changes.
pub const COMPLIANCE_SCHEMA_VERSION: u32 = 1;

/// Everything a compliance renderer needs.
pub struct ComplianceReport<'a> {
    pub tool_version: &'a str,
    pub results: &'a [StandardResult<'a>],
    /// Input errors of the scan (`file:line: message`), which make the report incomplete.
    pub errors: &'a [String],
}

/// One exception (or suppression annotation) and what it covers in a standard.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionUse {
    pub kind: String,
    pub source: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Controls passed with this exception.
    pub controls: Vec<String>,
    /// `check on object` it covers.
    pub covers: Vec<String>,
}

/// The exceptions used in one standard's result, by where they are declared.
pub fn exceptions(r: &StandardResult<'_>) -> Vec<ExceptionUse> {
    let mut by_source: BTreeMap<String, ExceptionUse> = BTreeMap::new();
    for c in &r.controls {
        for e in &c.exceptions {
            let Some(s) = &e.suppressed else { continue };
            let entry = by_source.entry(s.source.clone()).or_insert_with(|| ExceptionUse {
                kind: serde_json::to_value(s.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                source: s.source.clone(),
                reason: s.reason.clone(),
                expires: s.expires.clone(),
                ticket: s.ticket.clone(),
                controls: Vec::new(),
                covers: Vec::new(),
            });
            if !entry.controls.contains(&c.control.id) {
                entry.controls.push(c.control.id.clone());
            }
            let cover = format!("{} on {}", e.check, e.object);
            if !entry.covers.contains(&cover) {
                entry.covers.push(cover);
            }
        }
    }
    by_source.into_values().collect()
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "n/a".to_string(), |v| format!("{v:.1}%"))
}

fn counts_line(r: &StandardResult<'_>) -> String {
    const ORDER: [Status; 6] = [
        Status::Fail,
        Status::Pass,
        Status::PassWithException,
        Status::Manual,
        Status::NotApplicable,
        Status::NotAssessed,
    ];
    ORDER
        .iter()
        .filter_map(|s| r.counts.get(s.as_str()).map(|n| format!("{} {n}", s.as_str())))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn location(e: &Evidence) -> String {
    if e.line > 0 {
        format!("{}:{}", e.file, e.line)
    } else {
        e.file.clone()
    }
}

/// The JSON document (docs/compliance.md describes it).
pub fn json(r: &ComplianceReport<'_>) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Doc<'a> {
        schema_version: u32,
        tool: Tool<'a>,
        errors: &'a [String],
        summary: Vec<SummaryRow<'a>>,
        standards: Vec<Std<'a>>,
    }
    #[derive(Serialize)]
    struct Tool<'a> {
        name: &'a str,
        version: &'a str,
    }
    #[derive(Serialize)]
    struct SummaryRow<'a> {
        id: &'a str,
        title: &'a str,
        version: &'a str,
        passed: usize,
        assessed: usize,
        percent: Option<f64>,
        counts: &'a BTreeMap<&'static str, usize>,
    }
    #[derive(Serialize)]
    struct Std<'a> {
        #[serde(flatten)]
        result: &'a StandardResult<'a>,
        exceptions: Vec<ExceptionUse>,
    }
    let doc = Doc {
        schema_version: COMPLIANCE_SCHEMA_VERSION,
        tool: Tool {
            name: "rampart",
            version: r.tool_version,
        },
        errors: r.errors,
        summary: r
            .results
            .iter()
            .map(|s| SummaryRow {
                id: s.id,
                title: s.title,
                version: s.version,
                passed: s.score.passed,
                assessed: s.score.assessed,
                percent: s.percent.map(|p| (p * 10.0).round() / 10.0),
                counts: &s.counts,
            })
            .collect(),
        standards: r
            .results
            .iter()
            .map(|s| Std {
                result: s,
                exceptions: exceptions(s),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("serializable");
    s.push('\n');
    s
}

fn summary_table_text(out: &mut String, results: &[StandardResult<'_>]) {
    let w = results.iter().map(|r| r.id.len()).max().unwrap_or(8).max(8);
    let _ = writeln!(
        out,
        "{:<w$}  {:>7}  {:>9}  {:>5}  {:>6}  {:>12}",
        "standard", "score", "passed", "fail", "manual", "not-assessed"
    );
    for r in results {
        let _ = writeln!(
            out,
            "{:<w$}  {:>7}  {:>9}  {:>5}  {:>6}  {:>12}",
            r.id,
            percent(r.percent),
            format!("{}/{}", r.score.passed, r.score.assessed),
            r.counts.get("fail").unwrap_or(&0),
            r.counts.get("manual").unwrap_or(&0),
            r.counts.get("not-assessed").unwrap_or(&0),
        );
    }
}

/// Text for people: per standard the score, per section the score, then every failing
/// control with its evidence and fix, controls passed with an exception, and (with
/// `verbose`) every other control.
pub fn text(r: &ComplianceReport<'_>, verbose: bool) -> String {
    let mut out = String::new();
    for e in r.errors {
        let _ = writeln!(out, "error: {e}");
    }
    if r.results.len() > 1 {
        summary_table_text(&mut out, r.results);
        out.push('\n');
    }
    for s in r.results {
        let _ = writeln!(
            out,
            "{} {} ({}): {} — {} of {} automated controls passed",
            s.title,
            s.version,
            s.id,
            percent(s.percent),
            s.score.passed,
            s.score.assessed
        );
        let _ = writeln!(out, "  {}", counts_line(s));
        for sec in &s.sections {
            if sec.score.assessed > 0 {
                let _ = writeln!(
                    out,
                    "  section {} {}: {} ({}/{})",
                    sec.id,
                    sec.title,
                    percent(sec.percent),
                    sec.score.passed,
                    sec.score.assessed
                );
            }
        }
        for c in &s.controls {
            let show = match c.status {
                Status::Fail | Status::PassWithException => true,
                _ => verbose,
            };
            if !show {
                continue;
            }
            let _ = writeln!(
                out,
                "\n  {} {} {}",
                c.status.as_str().to_uppercase(),
                c.control.id,
                c.control.title
            );
            for e in &c.failures {
                let _ = writeln!(
                    out,
                    "      {}: {} [{}] {}",
                    location(e),
                    e.object,
                    e.check,
                    e.message
                );
            }
            for e in &c.exceptions {
                if let Some(sup) = &e.suppressed {
                    let expires = sup
                        .expires
                        .as_deref()
                        .map(|d| format!(", expires {d}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "      excepted: {} [{}] — {} ({}{expires})",
                        e.object, e.check, sup.reason, sup.source
                    );
                }
            }
            if let Some(fix) = &c.remediation {
                let label = if c.status == Status::Fail { "fix" } else { "how" };
                let _ = writeln!(out, "      {label}: {fix}");
            }
            if !c.disabled_checks.is_empty() {
                let _ = writeln!(out, "      not run: {}", c.disabled_checks.join(", "));
            }
        }
        out.push('\n');
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown, for pull-request comments and wikis.
pub fn markdown(r: &ComplianceReport<'_>) -> String {
    let mut out = String::from("# Compliance report\n\n");
    for e in r.errors {
        let _ = writeln!(out, "- **error:** {}", md_escape(e));
    }
    out.push_str(
        "| Standard | Score | Passed | Fail | Manual | Not assessed |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for s in r.results {
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {}/{} | {} | {} | {} |",
            md_escape(s.title),
            s.id,
            percent(s.percent),
            s.score.passed,
            s.score.assessed,
            s.counts.get("fail").unwrap_or(&0),
            s.counts.get("manual").unwrap_or(&0),
            s.counts.get("not-assessed").unwrap_or(&0)
        );
    }
    for s in r.results {
        let _ = writeln!(
            out,
            "\n## {} {}\n\nScore: **{}** ({} of {} automated controls passed). {}\n",
            s.title,
            s.version,
            percent(s.percent),
            s.score.passed,
            s.score.assessed,
            counts_line(s)
        );
        out.push_str("| Control | Title | Status | Evidence |\n|---|---|---|---|\n");
        for c in &s.controls {
            let evidence = if c.failures.is_empty() {
                c.exceptions
                    .iter()
                    .map(|e| {
                        format!(
                            "excepted: {} ({})",
                            e.object,
                            e.suppressed.as_ref().map_or("", |x| x.reason.as_str())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            } else {
                c.failures
                    .iter()
                    .map(|e| format!("`{}` {} [{}]", location(e), e.object, e.check))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md_escape(&c.control.id),
                md_escape(&c.control.title),
                c.status.as_str(),
                md_escape(&evidence)
            );
        }
        let ex = exceptions(s);
        if !ex.is_empty() {
            out.push_str("\n### Exceptions\n\n| Declared at | Reason | Expires | Ticket | Controls |\n|---|---|---|---|---|\n");
            for e in ex {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    md_escape(&e.source),
                    md_escape(&e.reason),
                    e.expires.as_deref().unwrap_or("never"),
                    e.ticket.as_deref().unwrap_or(""),
                    md_escape(&e.controls.join(", "))
                );
            }
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV: one row per control of every standard, for spreadsheets and GRC tools.
pub fn csv(r: &ComplianceReport<'_>) -> String {
    let mut out = String::from(
        "standard,control,section,title,assessment,status,checks,failures,exceptions,evidence,remediation\n",
    );
    for s in r.results {
        for c in &s.controls {
            let evidence = c
                .failures
                .iter()
                .chain(&c.exceptions)
                .map(|e| format!("{} {} [{}]", location(e), e.object, e.check))
                .collect::<Vec<_>>()
                .join("; ");
            let row = [
                s.id.to_string(),
                c.control.id.clone(),
                c.control.section.clone(),
                c.control.title.clone(),
                c.control.assessment.as_str().to_string(),
                c.status.as_str().to_string(),
                c.checks.join(" "),
                c.failures.len().to_string(),
                c.exceptions.len().to_string(),
                evidence,
                c.remediation.clone().unwrap_or_default(),
            ];
            let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
    }
    out
}

/// JUnit XML: a test suite per standard, a test case per control. Failing controls fail;
/// manual, not-applicable and not-assessed controls are skipped with the reason.
pub fn junit(r: &ComplianceReport<'_>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total: usize = r.results.iter().map(|s| s.controls.len()).sum();
    let failures: usize = r
        .results
        .iter()
        .map(|s| s.counts.get("fail").copied().unwrap_or(0))
        .sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"rampart compliance\" tests=\"{total}\" failures=\"{failures}\">"
    );
    for s in r.results {
        let skipped = s.controls.iter().filter(|c| !c.status.assessed()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{skipped}\">",
            crate::xml_escape(s.id),
            s.controls.len(),
            s.counts.get("fail").unwrap_or(&0)
        );
        for c in &s.controls {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{} {}\">",
                crate::xml_escape(s.id),
                crate::xml_escape(&c.control.id),
                crate::xml_escape(&c.control.title)
            );
            match c.status {
                Status::Fail => {
                    let body = c
                        .failures
                        .iter()
                        .map(|e| format!("{}: {} [{}] {}", location(e), e.object, e.check, e.message))
                        .collect::<Vec<_>>()
                        .join("\n");
                    let _ = write!(
                        out,
                        "<failure message=\"{} finding(s)\">{}\n\nFix: {}</failure>",
                        c.failures.len(),
                        crate::xml_escape(&body),
                        crate::xml_escape(c.remediation.as_deref().unwrap_or(""))
                    );
                }
                Status::Pass => {}
                Status::PassWithException => {
                    let body = c
                        .exceptions
                        .iter()
                        .map(|e| {
                            let s = e.suppressed.as_ref();
                            format!(
                                "excepted: {} [{}] {} ({})",
                                e.object,
                                e.check,
                                s.map_or("", |x| x.reason.as_str()),
                                s.map_or("", |x| x.source.as_str())
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                    let _ = write!(out, "<system-out>{}</system-out>", crate::xml_escape(&body));
                }
                other => {
                    let _ = write!(
                        out,
                        "<skipped message=\"{}: {}\"/>",
                        other.as_str(),
                        crate::xml_escape(c.remediation.as_deref().unwrap_or(""))
                    );
                }
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The failing findings of every standard in the report, each once: the data behind the
/// HTML charts (failures by namespace and by severity).
pub fn distinct_failures<'r>(results: &'r [StandardResult<'r>]) -> Vec<&'r Evidence> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for s in results {
        for c in &s.controls {
            for e in &c.failures {
                if seen.insert((
                    e.check,
                    e.file.as_str(),
                    e.line,
                    e.message.as_str(),
                    e.object.as_str(),
                )) {
                    out.push(e);
                }
            }
        }
    }
    out
}

fn gauge(id: &str, p: Option<f64>) -> String {
    // A half-circle gauge: the arc's length is the score.
    let v = p.unwrap_or(0.0).clamp(0.0, 100.0);
    let colour = match p {
        None => "#9aa0a6",
        Some(x) if x >= 90.0 => "#1e8e3e",
        Some(x) if x >= 70.0 => "#f9ab00",
        Some(_) => "#d93025",
    };
    let len = std::f64::consts::PI * 50.0;
    let filled = len * v / 100.0;
    format!(
        "<svg class=\"gauge\" viewBox=\"0 0 120 70\" role=\"img\" aria-label=\"{id} score {label}\" data-standard=\"{id}\" data-percent=\"{data}\">\
<path d=\"M10 60 A50 50 0 0 1 110 60\" fill=\"none\" stroke=\"#e8eaed\" stroke-width=\"12\"/>\
<path d=\"M10 60 A50 50 0 0 1 110 60\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"12\" stroke-dasharray=\"{filled:.2} {len:.2}\"/>\
<text x=\"60\" y=\"58\" text-anchor=\"middle\" class=\"gauge-value\">{label}</text></svg>",
        id = crate::xml_escape(id),
        label = percent(p),
        data = p.map_or_else(String::new, |x| format!("{:.1}", (x * 10.0).round() / 10.0)),
    )
}

/// `text` cut to `max` characters with an ellipsis, for chart labels (namespace names
/// run to 63 characters).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max - 1).collect();
    s.push('…');
    s
}

fn bar_chart(name: &str, rows: &[(String, usize, &str)]) -> String {
    if rows.is_empty() {
        return format!(
            "<p class=\"empty\" data-chart=\"{}\">No failures.</p>",
            crate::xml_escape(name)
        );
    }
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let h = 24 * rows.len() + 4;
    let mut s = format!(
        "<svg class=\"bars\" viewBox=\"0 0 440 {h}\" role=\"img\" aria-label=\"{}\" data-chart=\"{}\">",
        crate::xml_escape(name),
        crate::xml_escape(name)
    );
    for (i, (label, n, colour)) in rows.iter().enumerate() {
        let y = 24 * i + 2;
        #[allow(clippy::cast_precision_loss)]
        let w = 240.0 * (*n as f64) / (max as f64);
        let _ = write!(
            s,
            "<g class=\"bar\" data-label=\"{l}\" data-value=\"{n}\"><title>{l}: {n}</title><text x=\"0\" y=\"{ty}\" class=\"bar-label\">{short}</text>\
<rect x=\"160\" y=\"{y}\" width=\"{w:.1}\" height=\"18\" fill=\"{colour}\"/>\
<text x=\"{tx:.1}\" y=\"{ty}\" class=\"bar-value\">{n}</text></g>",
            l = crate::xml_escape(label),
            short = crate::xml_escape(&shorten(label, 22)),
            ty = y + 14,
            tx = 166.0 + w,
        );
    }
    s.push_str("</svg>");
    s
}

const HTML_STYLE: &str = "\
:root{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#202124;background:#fff}
body{margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.25rem;margin:32px 0 8px;border-bottom:1px solid #dadce0;padding-bottom:4px}
h3{font-size:1rem;margin:16px 0 6px}.meta{color:#5f6368;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #dadce0;border-radius:8px;padding:10px 12px;width:190px;text-align:center}
.card a{color:inherit;text-decoration:none}.card .name{font-size:.85rem;font-weight:600;min-height:2.4em}
.card .sub{font-size:.8rem;color:#5f6368}.gauge{width:140px;height:82px}.gauge-value{font-size:17px;font-weight:700}
.charts{display:flex;flex-wrap:wrap;gap:24px}.chart{flex:1 1 420px}.bars{width:100%;max-width:520px}
.bar-label,.bar-value{font-size:12px}
table{border-collapse:collapse;width:100%;font-size:.88rem}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceff1;vertical-align:top}
th{background:#f8f9fa}.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:.78rem;font-weight:600;white-space:nowrap}
.fail{background:#fce8e6;color:#a50e0e}.pass{background:#e6f4ea;color:#137333}.pass-with-exception{background:#e8f0fe;color:#174ea6}
.manual{background:#fef7e0;color:#8a5a00}.not-applicable,.not-assessed{background:#f1f3f4;color:#5f6368}
details summary{cursor:pointer;color:#1a73e8}details ul{margin:4px 0;padding-left:18px}code{font-size:.85em}
.errors{background:#fce8e6;border-radius:6px;padding:8px 12px}
@media print{body{max-width:none;padding:0}.card{break-inside:avoid}tr{break-inside:avoid}details summary{color:#202124}h2{break-before:auto}}
";

/// One self-contained HTML page: no scripts or styles from the network. Score gauges per
/// standard, failures by namespace and by severity, and per standard a control table with
/// the evidence in expandable rows (opened for printing).
pub fn html(r: &ComplianceReport<'_>) -> String {
    let mut o = String::with_capacity(64 * 1024);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
<title>Rampart compliance report</title><style>");
    o.push_str(HTML_STYLE);
    o.push_str("</style></head><body>\n<h1>Compliance report</h1>\n");
    let _ = writeln!(
        o,
        "<p class=\"meta\">Rampart {} · {} standard{} · scores are passed automated controls / assessed automated controls</p>",
        crate::xml_escape(r.tool_version),
        r.results.len(),
        if r.results.len() == 1 { "" } else { "s" }
    );
    if !r.errors.is_empty() {
        o.push_str("<div class=\"errors\"><strong>Input errors — the report may be incomplete:</strong><ul>");
        for e in r.errors {
            let _ = write!(o, "<li>{}</li>", crate::xml_escape(e));
        }
        o.push_str("</ul></div>\n");
    }
    o.push_str("<div class=\"cards\">");
    for s in r.results {
        let _ = write!(
            o,
            "<div class=\"card\"><a href=\"#{id}\"><div class=\"name\">{title}</div>{g}<div class=\"sub\">{p}/{a} passed · {f} failing</div></a></div>",
            id = crate::xml_escape(s.id),
            title = crate::xml_escape(s.title),
            g = gauge(s.id, s.percent),
            p = s.score.passed,
            a = s.score.assessed,
            f = s.counts.get("fail").unwrap_or(&0),
        );
    }
    o.push_str("</div>\n");

    let failures = distinct_failures(r.results);
    let mut by_ns: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_sev: BTreeMap<rampart_checks::Severity, usize> = BTreeMap::new();
    for e in &failures {
        *by_ns
            .entry(e.namespace.clone().unwrap_or_else(|| "(no namespace)".into()))
            .or_default() += 1;
        *by_sev.entry(e.severity).or_default() += 1;
    }
    let mut ns_rows: Vec<(String, usize, &str)> = by_ns.into_iter().map(|(k, v)| (k, v, "#5f6368")).collect();
    ns_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let sev_rows: Vec<(String, usize, &str)> = by_sev
        .into_iter()
        .rev()
        .map(|(s, n)| {
            let colour = match s {
                rampart_checks::Severity::Critical => "#a50e0e",
                rampart_checks::Severity::High => "#d93025",
                rampart_checks::Severity::Medium => "#f9ab00",
                rampart_checks::Severity::Low => "#1a73e8",
                rampart_checks::Severity::Info => "#9aa0a6",
            };
            (s.as_str().to_string(), n, colour)
        })
        .collect();
    let _ = writeln!(
        o,
        "<h2>Failures</h2><p class=\"meta\">{} distinct failing finding{} across the standards above.</p>\
<div class=\"charts\"><div class=\"chart\"><h3>By namespace</h3>{}</div><div class=\"chart\"><h3>By severity</h3>{}</div></div>",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" },
        bar_chart("failures-by-namespace", &ns_rows),
        bar_chart("failures-by-severity", &sev_rows)
    );

    for s in r.results {
        let _ = writeln!(
            o,
            "<h2 id=\"{}\">{} {}</h2><p class=\"meta\">Score {} ({} of {} automated controls passed) · {}</p>",
            crate::xml_escape(s.id),
            crate::xml_escape(s.title),
            crate::xml_escape(s.version),
            percent(s.percent),
            s.score.passed,
            s.score.assessed,
            crate::xml_escape(&counts_line(s))
        );
        o.push_str(
            "<table class=\"sections\"><tr><th>Section</th><th>Score</th><th>Passed / assessed</th></tr>",
        );
        for sec in &s.sections {
            let _ = write!(
                o,
                "<tr><td>{} {}</td><td>{}</td><td>{}/{}</td></tr>",
                crate::xml_escape(&sec.id),
                crate::xml_escape(&sec.title),
                percent(sec.percent),
                sec.score.passed,
                sec.score.assessed
            );
        }
        o.push_str("</table>\n<h3>Controls</h3><table class=\"controls\"><tr><th>Control</th><th>Title</th><th>Status</th><th>Evidence and what to do</th></tr>\n");
        for c in &s.controls {
            let _ = write!(
                o,
                "<tr data-control=\"{}\" data-status=\"{}\"><td><code>{}</code></td><td>{}</td><td><span class=\"badge {}\">{}</span></td><td>",
                crate::xml_escape(&c.control.id),
                c.status.as_str(),
                crate::xml_escape(&c.control.id),
                crate::xml_escape(&c.control.title),
                c.status.as_str(),
                c.status.as_str()
            );
            if !c.failures.is_empty() || !c.exceptions.is_empty() || c.remediation.is_some() {
                let label = match (c.failures.len(), c.exceptions.len()) {
                    (0, 0) => "details".to_string(),
                    (failing, 0) => {
                        format!("{failing} failing finding{}", if failing == 1 { "" } else { "s" })
                    }
                    (0, excepted) => format!(
                        "{excepted} excepted finding{}",
                        if excepted == 1 { "" } else { "s" }
                    ),
                    (failing, excepted) => format!("{failing} failing, {excepted} excepted"),
                };
                let _ = write!(o, "<details><summary>{label}</summary><ul>");
                for e in &c.failures {
                    let _ = write!(
                        o,
                        "<li><code>{}</code> {} <em>[{}]</em>: {}</li>",
                        crate::xml_escape(&location(e)),
                        crate::xml_escape(&e.object),
                        crate::xml_escape(e.check),
                        crate::xml_escape(&e.message)
                    );
                }
                for e in &c.exceptions {
                    if let Some(sup) = &e.suppressed {
                        let _ = write!(
                            o,
                            "<li>excepted: {} <em>[{}]</em> — {} (<code>{}</code>{})</li>",
                            crate::xml_escape(&e.object),
                            crate::xml_escape(e.check),
                            crate::xml_escape(&sup.reason),
                            crate::xml_escape(&sup.source),
                            sup.expires
                                .as_deref()
                                .map(|d| format!(", expires {}", crate::xml_escape(d)))
                                .unwrap_or_default()
                        );
                    }
                }
                o.push_str("</ul>");
                if let Some(fix) = &c.remediation {
                    let _ = write!(o, "<p>{}</p>", crate::xml_escape(fix));
                }
                o.push_str("</details>");
            }
            o.push_str("</td></tr>\n");
        }
        o.push_str("</table>\n");
        let ex = exceptions(s);
        if !ex.is_empty() {
            o.push_str("<h3>Exceptions</h3><table class=\"exceptions\"><tr><th>Declared at</th><th>Reason</th><th>Expires</th><th>Ticket</th><th>Controls</th></tr>");
            for e in ex {
                let _ = write!(
                    o,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    crate::xml_escape(&e.source),
                    crate::xml_escape(&e.reason),
                    crate::xml_escape(e.expires.as_deref().unwrap_or("never")),
                    crate::xml_escape(e.ticket.as_deref().unwrap_or("")),
                    crate::xml_escape(&e.controls.join(", "))
                );
            }
            o.push_str("</table>\n");
        }
    }
    o.push_str("<script>window.addEventListener('beforeprint',()=>document.querySelectorAll('details').forEach(d=>d.open=true));</script>\n</body></html>\n");
    o
}
