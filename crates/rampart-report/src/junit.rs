//! JUnit XML: one test suite per file, one test case per (object, check) that applies to
//! the object, so CI systems list failures by object. Suppressed and baselined findings are
//! `skipped` with their justification.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rampart_checks::Finding;

use crate::Report;

/// Text made safe for XML character data and attribute values: the five markup
/// characters become entities, and control characters XML 1.0 forbids are dropped.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

pub fn render(r: &Report<'_>) -> String {
    // findings by (object, check)
    let mut by_pair: BTreeMap<(usize, &str), Vec<&Finding>> = BTreeMap::new();
    for f in r.findings {
        by_pair.entry((f.object, f.check)).or_default().push(f);
    }
    let mut suites: BTreeMap<&str, (String, usize, usize, usize)> = BTreeMap::new();
    for (i, obj) in r.objects.iter().enumerate() {
        for e in r.checks {
            if !e.check.meta.target.applies(obj) {
                continue;
            }
            let id = e.check.meta.id;
            let entry = suites.entry(obj.source.name.as_str()).or_default();
            entry.1 += 1;
            let _ = write!(
                entry.0,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\">",
                xml_escape(&obj.display()),
                xml_escape(id),
                xml_escape(&obj.source.name)
            );
            let fs = by_pair.get(&(i, id)).map(Vec::as_slice).unwrap_or_default();
            let failing: Vec<&&Finding> = fs
                .iter()
                .filter(|f| f.counts() && f.severity >= r.fail_on)
                .collect();
            if failing.is_empty() {
                if let Some(f) = fs.first() {
                    let why = match &f.suppressed {
                        Some(s) => format!("suppressed ({}): {}", s.source, s.reason),
                        None if f.in_baseline => "in baseline".to_string(),
                        None => format!("below the fail-on threshold: {}", f.message),
                    };
                    entry.3 += 1;
                    let _ = write!(entry.0, "<skipped message=\"{}\"/>", xml_escape(&why));
                }
            } else {
                entry.2 += 1;
                let body = failing.iter().fold(String::new(), |mut acc, f| {
                    let _ = writeln!(
                        acc,
                        "{}:{}:{}: {} ({})",
                        obj.source.name, f.pos.line, f.pos.col, f.message, f.path
                    );
                    acc
                });
                let _ = write!(
                    entry.0,
                    "<failure type=\"{}\" message=\"{}\">{}</failure>",
                    failing[0].severity,
                    xml_escape(&failing[0].message),
                    xml_escape(&body)
                );
            }
            entry.0.push_str("</testcase>\n");
        }
    }
    let (tests, failures, skipped) = suites
        .values()
        .fold((0, 0, 0), |(t, f, s), v| (t + v.1, f + v.2, s + v.3));
    let errors = r
        .diagnostics
        .iter()
        .filter(|d| d.level == rampart_model::Level::Error)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"rampart\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">",
        tests + errors
    );
    for (file, (cases, t, f, s)) in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{t}\" failures=\"{f}\" errors=\"0\" skipped=\"{s}\">",
            xml_escape(file)
        );
        out.push_str(cases);
        out.push_str("  </testsuite>\n");
    }
    if errors > 0 {
        let _ = writeln!(
            out,
            "  <testsuite name=\"input errors\" tests=\"{errors}\" failures=\"0\" errors=\"{errors}\" skipped=\"0\">"
        );
        for d in r
            .diagnostics
            .iter()
            .filter(|d| d.level == rampart_model::Level::Error)
        {
            let _ = writeln!(
                out,
                "    <testcase classname=\"input\" name=\"{}\"><error message=\"{}\"/></testcase>",
                xml_escape(&d.file),
                xml_escape(&d.to_string())
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
