//! A CycloneDX 1.6 SBOM of the scanned packages (the document `rampart image inventory`
//! writes) with a `vulnerabilities` array: one entry per finding, pointing at its
//! component by `bom-ref`, with ratings, the fix as a recommendation and, for suppressed
//! findings, an `analysis`.

use std::fmt::Write as _;
use std::io::{self, Write};

use rampart_image::inventory::Inventory;
use rampart_image::sbom::{self, cyclonedx as cdx};
use serde_json::{Map, Value, json};

use super::{Entry, Report, Subject, Suppression, advisory_url};
use crate::severity::{Level, Severity};

fn severity_word(l: Level) -> &'static str {
    match l {
        Level::Critical => "critical",
        Level::High => "high",
        Level::Medium => "medium",
        Level::Low => "low",
        Level::Negligible => "info",
        Level::Unknown => "unknown",
    }
}

fn rating(s: &Severity) -> Value {
    let method = match s.source.as_str() {
        "CVSS_V2" => "CVSSv2",
        "CVSS_V3" if s.text.starts_with("CVSS:3.1/") => "CVSSv31",
        "CVSS_V3" => "CVSSv3",
        "CVSS_V4" => "CVSSv4",
        _ => "other",
    };
    let mut r = Map::new();
    if !s.is_cvss() {
        r.insert("source".into(), json!({"name": s.source}));
    }
    if let Some(score) = s.score {
        r.insert("score".into(), json!(score));
    }
    r.insert("severity".into(), json!(severity_word(s.level)));
    r.insert("method".into(), json!(method));
    if s.is_cvss() {
        r.insert("vector".into(), json!(s.text));
    } else {
        r.insert(
            "justification".into(),
            json!(format!("rated {} by {}", s.text, s.source)),
        );
    }
    Value::Object(r)
}

/// The OpenVEX justification as CycloneDX names it.
fn justification(status: &str) -> Option<&'static str> {
    Some(match status {
        "component_not_present" | "vulnerable_code_not_present" => "code_not_present",
        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
        "vulnerable_code_cannot_be_controlled_by_adversary" => "requires_environment",
        "inline_mitigations_already_exist" => "protected_by_mitigating_control",
        _ => return None,
    })
}

/// VEX statements become CycloneDX states (`not_affected` with its justification mapped
/// to CycloneDX's, `fixed` as `resolved`); configuration exceptions
/// are accepted risks: no state, the response `will_not_fix` and the reason as detail.
fn analysis(s: &Suppression) -> Value {
    let mut detail = s.reason.clone();
    if let Some(x) = &s.expires {
        let _ = write!(detail, " (expires {x})");
    }
    if let Some(t) = &s.ticket {
        let _ = write!(detail, " [{t}]");
    }
    let _ = write!(detail, " — {} at {}", s.by, s.origin);
    let mut a = Map::new();
    if s.by == "vex" {
        let state = match s.status.as_deref() {
            Some("fixed") => "resolved",
            Some("under_investigation") => "in_triage",
            Some("affected") => "exploitable",
            _ => "not_affected",
        };
        a.insert("state".into(), json!(state));
        // The policy step writes the OpenVEX justification first in the reason.
        let first = s.reason.split(": ").next().unwrap_or_default();
        if state == "not_affected"
            && let Some(j) = justification(first)
        {
            a.insert("justification".into(), json!(j));
        }
    } else {
        a.insert("response".into(), json!(["will_not_fix"]));
    }
    a.insert("detail".into(), json!(detail));
    Value::Object(a)
}

fn vulnerability(e: &Entry, component: &str) -> Value {
    let f = &e.finding;
    let mut v = Map::new();
    v.insert(
        "bom-ref".into(),
        json!(format!("rampart:vuln:{}:{component}", f.id)),
    );
    v.insert("id".into(), json!(f.id));
    v.insert(
        "source".into(),
        json!({"name": format!("OSV ({})", f.ecosystem), "url": advisory_url(&f.id)}),
    );
    let refs: Vec<Value> = f
        .aliases
        .iter()
        .map(|a| json!({"id": a, "source": {"name": "OSV", "url": advisory_url(a)}}))
        .collect();
    if !refs.is_empty() {
        v.insert("references".into(), Value::Array(refs));
    }
    let mut ratings: Vec<Value> = f.severities.iter().map(rating).collect();
    if ratings.is_empty() {
        ratings.push(json!({"severity": severity_word(f.severity), "method": "other"}));
    }
    v.insert("ratings".into(), Value::Array(ratings));
    if !f.summary.is_empty() {
        v.insert("description".into(), json!(f.summary));
    }
    let recommendation = match &f.fixed_version {
        Some(fixed) => format!("Upgrade {} to {fixed} or later", f.package),
        None => format!("No fixed version of {} is known yet", f.package),
    };
    v.insert("recommendation".into(), json!(recommendation));
    let advisories: Vec<Value> = f
        .references
        .iter()
        .filter(|r| r.url.starts_with("http://") || r.url.starts_with("https://"))
        .map(|r| json!({"url": r.url}))
        .collect();
    if !advisories.is_empty() {
        v.insert("advisories".into(), Value::Array(advisories));
    }
    if let Some(s) = &e.suppressed {
        v.insert("analysis".into(), analysis(s));
    }
    let mut versions = vec![json!({"version": f.installed_version, "status": "affected"})];
    if let Some(fixed) = &f.fixed_version {
        versions.push(json!({"version": fixed, "status": "unaffected"}));
    }
    v.insert(
        "affects".into(),
        json!([{"ref": component, "versions": versions}]),
    );
    let mut props = vec![
        json!({"name": "rampart:vuln:severity", "value": f.severity.as_str()}),
        json!({"name": "rampart:vuln:ecosystem", "value": f.ecosystem}),
    ];
    if let Some(m) = &f.matched_as {
        props.push(json!({"name": "rampart:vuln:matched-as", "value": m}));
    }
    v.insert("properties".into(), Value::Array(props));
    Value::Object(v)
}

/// The SBOM of `inv` (whose packages must be the report's, in the same order) with the
/// report's findings as `vulnerabilities`.
pub fn to_value(r: &Report, inv: &Inventory, subject: &sbom::Subject, options: &sbom::Options) -> Value {
    let mut doc = cdx::to_value(inv, subject, options);
    let refs = cdx::package_refs(inv);
    let vulns: Vec<Value> = r
        .entries
        .iter()
        .filter_map(|e| {
            let component = refs.get(e.finding.package_index)?;
            Some(vulnerability(e, component))
        })
        .collect();
    doc["vulnerabilities"] = Value::Array(vulns);
    if matches!(r.subject, Subject::Lockfiles { .. }) {
        // The subject is a source tree, not a container.
        doc["metadata"]["component"]["type"] = json!("application");
    }
    doc
}

/// Writes the SBOM with vulnerabilities, pretty-printed, and a newline.
pub fn write_cyclonedx(
    r: &Report,
    inv: &Inventory,
    subject: &sbom::Subject,
    options: &sbom::Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(r, inv, subject, options))?;
    out.write_all(b"\n")
}
