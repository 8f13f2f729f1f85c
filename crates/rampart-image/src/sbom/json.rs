//! Rampart's own inventory JSON (`--format json`), described field by field in
//! `docs/inventory-json.md`. The document is built here field by field, not derived from
//! the in-memory types, so that renaming a Rust field never changes the contract.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::license::{self, License};
use super::{Subject, TOOL_NAME, TOOL_VERSION, sorted_packages};
use crate::inventory::Inventory;
use crate::package::Package;

/// The version of the inventory JSON schema. Fields are only added within a major
/// version; a removal, rename or change of meaning bumps the major number.
pub const SCHEMA_VERSION: &str = "1.0";

/// Writes the inventory as Rampart's JSON document, followed by a newline.
pub fn write_json(inv: &Inventory, subject: &Subject, out: &mut dyn Write) -> io::Result<()> {
    let doc = to_value(inv, subject);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// The inventory as a JSON value.
pub fn to_value(inv: &Inventory, subject: &Subject) -> Value {
    let packages = sorted_packages(inv);
    let mut by_type = BTreeMap::<&str, usize>::new();
    for p in &packages {
        *by_type.entry(p.kind.as_str()).or_default() += 1;
    }
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "subject": subject_value(subject),
        "distro": inv.distro.as_ref().map(|d| json!({
            "id": d.id,
            "versionId": d.version_id,
            "versionCodename": d.version_codename,
            "prettyName": d.pretty_name,
            "osvEcosystem": d.osv_ecosystem,
        })),
        "packages": packages.iter().map(|p| package_value(p)).collect::<Vec<_>>(),
        "warnings": inv.warnings.iter().map(|w| json!({
            "layer": w.layer,
            "path": w.path,
            "message": w.message,
        })).collect::<Vec<_>>(),
        "summary": {
            "packages": packages.len(),
            "byType": by_type,
            "files": inv.files,
            "warnings": inv.warnings.len(),
        },
    })
}

fn subject_value(s: &Subject) -> Value {
    json!({
        "reference": s.reference,
        "source": s.source.as_str(),
        "manifestDigest": s.manifest_digest,
        "configDigest": s.config_digest,
        "platform": s.platform.as_ref().map(|p| json!({
            "os": p.os,
            "architecture": p.architecture,
            "variant": p.variant,
        })),
        "layers": s.layers,
    })
}

fn package_value(p: &Package) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(p.name));
    m.insert("version".into(), json!(p.version));
    m.insert("type".into(), json!(p.kind.as_str()));
    m.insert("purl".into(), json!(p.purl));
    m.insert("arch".into(), json!(p.arch));
    m.insert(
        "source".into(),
        json!(
            p.source
                .as_ref()
                .map(|s| json!({"name": s.name, "version": s.version}))
        ),
    );
    m.insert("licenses".into(), json!(p.licenses));
    m.insert("spdxLicense".into(), json!(spdx_expression(&p.licenses)));
    m.insert(
        "locations".into(),
        json!(
            p.locations
                .iter()
                .map(|l| json!({"path": l.path, "layer": l.layer}))
                .collect::<Vec<_>>()
        ),
    );
    m.insert("cataloger".into(), json!(p.cataloger));
    Value::Object(m)
}

/// The declared licences as one SPDX expression (joined with `AND`), when every one of
/// them is an SPDX id or expression; `None` otherwise or when there are none.
pub fn spdx_expression(declared: &[String]) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for d in declared {
        match license::classify(d) {
            None => {}
            Some(License::Id(s) | License::Expression(s)) => parts.push(s),
            Some(License::Partial { .. } | License::Text(_)) => return None,
        }
    }
    join_and(parts)
}

/// Joins expressions with `AND`, parenthesising those with a top-level `OR`; duplicates
/// are dropped.
pub(crate) fn join_and(mut parts: Vec<String>) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    parts.retain(|p| seen.insert(p.clone()));
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(
            parts
                .iter()
                .map(|p| {
                    if has_top_level_or(p) {
                        format!("({p})")
                    } else {
                        p.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

fn has_top_level_or(expr: &str) -> bool {
    let mut depth = 0i32;
    let mut rest = expr;
    while let Some(c) = rest.chars().next() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 && rest.starts_with(" OR ") {
            return true;
        }
        rest = &rest[c.len_utf8()..];
    }
    false
}
