//! SARIF 2.1.0: one rule per advisory, one result per finding, located at the file that
//! declares the package (the package database in the image, or the lockfile and line),
//! with `suppressions` for suppressed findings and a `security-severity` for code-scanning
//! platforms.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Entry, Report, Subject, advisory_url};
use crate::severity::Level;

/// The base id of paths inside an image (declared in `originalUriBaseIds`).
pub const IMAGE_ROOT: &str = "IMAGEROOT";

fn level(l: Level) -> &'static str {
    match l {
        Level::Critical | Level::High => "error",
        Level::Medium => "warning",
        Level::Low | Level::Negligible | Level::Unknown => "note",
    }
}

/// The score code-scanning platforms sort by: the CVSS score, else a value inside the
/// level's CVSS band.
fn security_severity(l: Level, score: Option<f64>) -> Option<String> {
    if let Some(s) = score {
        return Some(format!("{s:.1}"));
    }
    Some(
        match l {
            Level::Critical => "9.5",
            Level::High => "8.0",
            Level::Medium => "5.5",
            Level::Low => "3.0",
            Level::Negligible => "0.5",
            Level::Unknown => return None,
        }
        .to_owned(),
    )
}

fn rule(e: &Entry, worst: &Entry) -> Value {
    let f = &e.finding;
    let title = if f.summary.is_empty() {
        f.id.clone()
    } else {
        f.summary.clone()
    };
    let mut markdown = format!("**{}**: {}\n", f.id, title);
    if !f.aliases.is_empty() {
        let _ = write!(markdown, "\nAlso known as: {}\n", f.aliases.join(", "));
    }
    for r in f.references.iter().take(10) {
        let _ = write!(markdown, "\n- <{}>", r.url);
    }
    let mut properties = json!({
        "tags": ["security", "vulnerability", f.ecosystem],
        "precision": "very-high",
        "problem.severity": level(worst.finding.severity),
    });
    if let Some(s) = security_severity(worst.finding.severity, worst.finding.score) {
        properties["security-severity"] = json!(s);
    }
    json!({
        "id": f.id,
        "name": f.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": title},
        "help": {"text": format!("{title}\n\n{}", advisory_url(&f.id)), "markdown": markdown},
        "helpUri": advisory_url(&f.id),
        "defaultConfiguration": {"level": level(worst.finding.severity)},
        "properties": properties,
    })
}

fn fingerprint(e: &Entry) -> String {
    let f = &e.finding;
    let mut h = Sha256::new();
    for part in [
        f.id.as_str(),
        f.purl.as_str(),
        f.locations.first().map_or("", |l| l.path.as_str()),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16].iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `a b/c` → `a%20b/c`: a path as a relative URI reference.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn result(r: &Report, e: &Entry, rule_index: usize) -> Value {
    let f = &e.finding;
    let fix = match &f.fixed_version {
        Some(v) => format!("fixed in {v}"),
        None => "no fix yet".to_owned(),
    };
    let mut message = format!(
        "{} {} is affected by {} ({fix})",
        f.package, f.installed_version, f.id
    );
    if !f.summary.is_empty() {
        let _ = write!(message, ": {}", f.summary);
    }
    let image = matches!(r.subject, Subject::Image { .. });
    let mut locations = Vec::new();
    if let Some(l) = f.locations.first() {
        let mut artifact = if image {
            json!({"uri": uri(l.path.trim_start_matches('/')), "uriBaseId": IMAGE_ROOT})
        } else {
            json!({"uri": uri(&l.path), "uriBaseId": "%SRCROOT%"})
        };
        if uri(&l.path).is_empty() {
            artifact = json!({"uri": "."});
        }
        let mut physical = json!({"artifactLocation": artifact});
        if let Some(line) = e.line {
            physical["region"] = json!({"startLine": line.max(1)});
        }
        locations.push(json!({
            "physicalLocation": physical,
            "logicalLocations": [{
                "name": f.package,
                "fullyQualifiedName": f.purl,
                "kind": "package",
            }],
        }));
    }
    let mut res = json!({
        "ruleId": f.id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": locations,
        "partialFingerprints": {"rampart/v1": fingerprint(e)},
        "properties": {
            "severity": f.severity,
            "package": f.package,
            "installedVersion": f.installed_version,
            "fixedVersion": f.fixed_version,
            "purl": f.purl,
            "aliases": f.aliases,
            "counts": r.counts(e),
        },
    });
    if let Some(s) = &e.suppressed {
        let mut justification = s.reason.clone();
        if let Some(st) = &s.status {
            let _ = write!(justification, " [{st}]");
        }
        if let Some(x) = &s.expires {
            let _ = write!(justification, " (expires {x})");
        }
        if let Some(t) = &s.ticket {
            let _ = write!(justification, " [{t}]");
        }
        res["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": justification,
            "location": {"physicalLocation": {"artifactLocation": {"uri": uri(&s.origin.split(':').next().unwrap_or_default().replace('\\', "/"))}}},
            "properties": {"by": s.by, "origin": s.origin},
        }]);
    }
    res
}

/// The report as a SARIF 2.1.0 log.
pub fn to_value(r: &Report) -> Value {
    // Rules in order of first appearance; each rated by its most severe finding.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut firsts: Vec<(&Entry, &Entry)> = Vec::new();
    for e in &r.entries {
        if let Some(&i) = index.get(e.finding.id.as_str()) {
            let worst = &mut firsts[i].1;
            if (e.finding.severity, e.finding.score.unwrap_or(0.0))
                > (worst.finding.severity, worst.finding.score.unwrap_or(0.0))
            {
                *worst = e;
            }
        } else {
            index.insert(&e.finding.id, firsts.len());
            firsts.push((e, e));
        }
    }
    let rules: Vec<Value> = firsts.iter().map(|(e, w)| rule(e, w)).collect();
    let results: Vec<Value> = r
        .entries
        .iter()
        .map(|e| result(r, e, index[e.finding.id.as_str()]))
        .collect();
    let notifications: Vec<Value> = r
        .problems
        .iter()
        .map(|p| json!({"level": "error", "message": {"text": p}}))
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "rampart",
            "version": r.tool_version,
            "semanticVersion": r.tool_version,
            "informationUri": "https://github.com/rampart-security/rampart",
            "rules": rules,
        }},
        "invocations": [{
            "executionSuccessful": r.problems.is_empty(),
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
        "columnKind": "unicodeCodePoints",
    });
    if let Subject::Image { reference, .. } = &r.subject {
        run["originalUriBaseIds"] = json!({
            IMAGE_ROOT: {"description": {"text": format!("the root file system of the image {reference}")}},
        });
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// Writes the SARIF log, pretty-printed, and a newline.
pub fn write_sarif(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(r))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::super::tests::sample;
    use super::*;

    #[test]
    fn one_rule_per_advisory_and_suppressions() {
        let v = to_value(&sample(Policy::default()));
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 4);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        let b = results.iter().find(|r| r["ruleId"] == "PYSEC-2").unwrap();
        let loc = &b["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "requirements.txt");
        assert_eq!(loc["region"]["startLine"], 2);
        assert_eq!(b["level"], "error");
        let c = results.iter().find(|r| r["ruleId"] == "PYSEC-3").unwrap();
        assert_eq!(c["suppressions"][0]["kind"], "external");
        assert_eq!(
            c["suppressions"][0]["justification"],
            "not reachable from the service (expires 2027-01-31) [SEC-1]"
        );
        assert_eq!(rules[0]["properties"]["security-severity"], "7.5");
    }
}
