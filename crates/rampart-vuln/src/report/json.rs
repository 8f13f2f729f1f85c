//! Rampart's vulnerability report as JSON, schema version 1.0 (`docs/vulnerability-json.md`):
//! a public contract; fields are only added within a major version.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::{Entry, LEVELS, Report, Subject, Suppression};

/// The schema version written into every report.
pub const SCHEMA_VERSION: &str = "1.0";

fn subject(r: &Report) -> Value {
    match &r.subject {
        Subject::Image {
            reference,
            digest,
            distro,
            ecosystem,
        } => json!({
            "kind": "image",
            "reference": reference,
            "digest": digest,
            "distro": distro,
            "ecosystem": ecosystem,
        }),
        Subject::Lockfiles { path, files } => json!({
            "kind": "lockfiles",
            "path": path,
            "files": files,
        }),
    }
}

pub(crate) fn suppression(s: &Suppression) -> Value {
    json!({
        "by": s.by,
        "reason": s.reason,
        "status": s.status,
        "origin": s.origin,
        "expires": s.expires,
        "ticket": s.ticket,
    })
}

fn entry(r: &Report, e: &Entry) -> Value {
    let f = &e.finding;
    let locations: Vec<Value> = f
        .locations
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut m = Map::new();
            m.insert("path".into(), json!(l.path));
            if let Some(layer) = &l.layer {
                m.insert("layer".into(), json!(layer));
            }
            if i == 0
                && let Some(line) = e.line
            {
                m.insert("line".into(), json!(line));
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "id": f.id,
        "aliases": f.aliases,
        "upstream": f.upstream,
        "severity": f.severity,
        "score": f.score,
        "severities": f.severities,
        "summary": f.summary,
        "package": {
            "name": f.package,
            "version": f.installed_version,
            "type": f.package_type,
            "purl": f.purl,
            "locations": locations,
        },
        "matchedAs": f.matched_as,
        "ecosystem": f.ecosystem,
        "fixedVersion": f.fixed_version,
        "fixable": e.fixable(),
        "negligible": f.hidden,
        "references": f.references,
        "suppressed": e.suppressed.as_ref().map(suppression),
        "counts": r.counts(e),
    })
}

/// The report as a JSON value.
pub fn to_value(r: &Report) -> Value {
    let findings: Vec<Value> = r.entries.iter().map(|e| entry(r, e)).collect();
    let mut by_severity = Map::new();
    for (level, fixable, unfixed) in r.by_severity() {
        by_severity.insert(
            level.as_str().into(),
            json!({"fixable": fixable, "unfixed": unfixed}),
        );
    }
    let total: usize = r.entries.iter().filter(|e| e.suppressed.is_none()).count();
    let failing = r.failing().count();
    debug_assert_eq!(by_severity.len(), LEVELS.len());
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "rampart", "version": r.tool_version},
        "subject": subject(r),
        "database": {
            "built": super::rfc3339(r.database.built),
            "advisories": r.database.advisories,
            "oldestSource": r.database.oldest_source.map(super::rfc3339),
        },
        "findings": findings,
        "summary": {
            "packages": r.packages.len(),
            "vulnerablePackages": r.vulnerable_packages(),
            "findings": {
                "total": total,
                "bySeverity": by_severity,
                "suppressed": r.suppressed(),
                "hiddenNegligible": r.hidden,
                "unfixedLeftOut": r.unfixed_ignored,
            },
            "problems": r.problems,
        },
        "result": {
            "failOn": r.policy.fail_on.as_str(),
            "fixableOnly": r.policy.fixable_only,
            "ignoreUnfixed": r.policy.ignore_unfixed,
            "showHidden": r.policy.show_hidden,
            "failing": failing,
            "passed": failing == 0,
        },
    })
}

/// Writes the report as pretty-printed JSON and a newline.
pub fn write_json(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(r))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::super::tests::sample;
    use super::*;

    #[test]
    fn findings_carry_policy_outcome_and_suppression() {
        let v = to_value(&sample(Policy {
            fixable_only: true,
            ..Policy::default()
        }));
        assert_eq!(v["schemaVersion"], "1.0");
        let f = v["findings"].as_array().unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[0]["id"], "PYSEC-5");
        assert_eq!(f[0]["counts"], false, "no fix, --fixable-only");
        assert_eq!(f[1]["counts"], true);
        assert_eq!(f[1]["package"]["locations"][0]["line"], 2);
        assert_eq!(f[2]["suppressed"]["origin"], ".rampart.yaml:4");
        assert_eq!(v["summary"]["findings"]["bySeverity"]["high"]["fixable"], 1);
        assert_eq!(v["summary"]["findings"]["hiddenNegligible"], 1);
        assert_eq!(v["result"]["failing"], 1);
        assert_eq!(v["database"]["built"], "2023-11-14T22:13:20Z");
    }
}
