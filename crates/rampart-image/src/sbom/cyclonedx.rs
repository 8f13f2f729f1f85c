//! CycloneDX 1.6 JSON. The image is `metadata.component` (type `container`), the
//! distribution an `operating-system` component, every package a `library` component;
//! the image depends on all of them. Property names are listed in `docs/sbom.md`.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::json::join_and;
use super::license::{self, License};
use super::{
    Options, Subject, TOOL_NAME, TOOL_VERSION, document_uuid, image_purl, package_ids, sorted_packages,
    split_digest,
};
use crate::inventory::Inventory;
use crate::package::{Distro, Package};

/// The `bom-ref` of the image component.
pub const IMAGE_REF: &str = "rampart:image";

/// Writes the inventory as a CycloneDX 1.6 JSON document, followed by a newline.
pub fn write_cyclonedx(
    inv: &Inventory,
    subject: &Subject,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = to_value(inv, subject, options);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// The CycloneDX document as a JSON value.
pub fn to_value(inv: &Inventory, subject: &Subject, options: &Options) -> Value {
    let packages = sorted_packages(inv);
    let ids = package_ids(&packages, |p| format!("rampart:pkg:{}:", p.kind.as_str()));
    let mut components = Vec::new();
    let mut refs = Vec::new();
    if let Some(d) = &inv.distro {
        let r = distro_ref(d);
        components.push(distro_component(d, &r));
        refs.push(r);
    }
    for (p, id) in packages.iter().zip(&ids) {
        components.push(package_component(p, id));
        refs.push(id.clone());
    }
    let serial = document_uuid("cyclonedx-1.6", inv, subject, options.document_id);
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": {
            "timestamp": options.created.rfc3339(),
            "tools": {"components": [{
                "type": "application",
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "externalReferences": [{"type": "vcs", "url": env!("CARGO_PKG_REPOSITORY")}],
            }]},
            "component": image_component(subject),
        },
        "components": components,
        "dependencies": [{"ref": IMAGE_REF, "dependsOn": refs}],
    })
}

/// The `bom-ref` of every package of the inventory, in the inventory's own order (the
/// document lists them sorted): what other documents, such as a vulnerability report,
/// use to point at a component.
pub fn package_refs(inv: &Inventory) -> Vec<String> {
    let packages = sorted_packages(inv);
    let ids = package_ids(&packages, |p| format!("rampart:pkg:{}:", p.kind.as_str()));
    // `sorted_packages` borrows from `inv.packages`: the address gives the index.
    let index: std::collections::HashMap<*const Package, usize> = inv
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| (std::ptr::from_ref(p), i))
        .collect();
    let mut out = vec![String::new(); inv.packages.len()];
    for (p, id) in packages.iter().zip(ids) {
        if let Some(&i) = index.get(&std::ptr::from_ref(*p)) {
            out[i] = id;
        }
    }
    out
}

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({"name": name, "value": value.into()})
}

fn image_component(s: &Subject) -> Value {
    let mut c = Map::new();
    c.insert("bom-ref".into(), json!(IMAGE_REF));
    c.insert("type".into(), json!("container"));
    c.insert("name".into(), json!(s.reference));
    if let Some(d) = s.digest() {
        c.insert("version".into(), json!(d));
    }
    if let Some(("sha256", h)) = s.manifest_digest.as_deref().and_then(split_digest) {
        c.insert(
            "hashes".into(),
            json!([{"alg": "SHA-256", "content": h.to_ascii_lowercase()}]),
        );
    }
    if let Some(purl) = image_purl(s) {
        c.insert("purl".into(), json!(purl));
    }
    let mut props = vec![
        property("rampart:image:reference", &s.reference),
        property("rampart:image:source", s.source.as_str()),
    ];
    if let Some(d) = &s.manifest_digest {
        props.push(property("rampart:image:manifest-digest", d));
    }
    if let Some(d) = &s.config_digest {
        props.push(property("rampart:image:config-digest", d));
    }
    if let Some(p) = &s.platform {
        props.push(property("rampart:image:platform", p.to_string()));
    }
    for l in &s.layers {
        props.push(property("rampart:image:layer", l));
    }
    c.insert("properties".into(), Value::Array(props));
    Value::Object(c)
}

fn distro_ref(d: &Distro) -> String {
    format!("rampart:distro:{}@{}", d.id, d.version_id)
}

fn distro_component(d: &Distro, r: &str) -> Value {
    let mut c = Map::new();
    c.insert("bom-ref".into(), json!(r));
    c.insert("type".into(), json!("operating-system"));
    c.insert("name".into(), json!(d.id));
    if !d.version_id.is_empty() {
        c.insert("version".into(), json!(d.version_id));
    }
    if let Some(p) = &d.pretty_name {
        c.insert("description".into(), json!(p));
    }
    let mut props = Vec::new();
    if let Some(v) = &d.version_codename {
        props.push(property("rampart:distro:codename", v));
    }
    if let Some(v) = &d.osv_ecosystem {
        props.push(property("rampart:distro:osv-ecosystem", v));
    }
    if !props.is_empty() {
        c.insert("properties".into(), Value::Array(props));
    }
    Value::Object(c)
}

fn package_component(p: &Package, id: &str) -> Value {
    let mut c = Map::new();
    c.insert("bom-ref".into(), json!(id));
    c.insert("type".into(), json!("library"));
    c.insert("name".into(), json!(p.name));
    if !p.version.is_empty() {
        c.insert("version".into(), json!(p.version));
    }
    if let Some(l) = licenses(&p.licenses) {
        c.insert("licenses".into(), l);
    }
    if !p.purl.is_empty() {
        c.insert("purl".into(), json!(p.purl));
    }
    let mut props = vec![
        property("rampart:package:type", p.kind.as_str()),
        property("rampart:package:cataloger", p.cataloger),
    ];
    if let Some(a) = &p.arch {
        props.push(property("rampart:package:arch", a));
    }
    if let Some(s) = &p.source {
        props.push(property("rampart:package:source-name", &s.name));
        props.push(property("rampart:package:source-version", &s.version));
    }
    for (i, l) in p.locations.iter().enumerate() {
        props.push(property(&format!("rampart:location:{i}:path"), &l.path));
        if let Some(layer) = &l.layer {
            props.push(property(&format!("rampart:location:{i}:layer"), layer));
        }
    }
    c.insert("properties".into(), Value::Array(props));
    Value::Object(c)
}

/// The `licenses` of a component: one `expression` when the declared licences form a
/// single SPDX expression of more than an id; otherwise one entry per declared licence,
/// by SPDX `id` when it is one and by `name` (as declared) when not.
pub fn licenses(declared: &[String]) -> Option<Value> {
    let classified: Vec<(&str, License)> = declared
        .iter()
        .filter_map(|d| license::classify(d).map(|l| (d.trim(), l)))
        .collect();
    if classified.is_empty() {
        return None;
    }
    let all_spdx = classified
        .iter()
        .all(|(_, l)| matches!(l, License::Id(_) | License::Expression(_)));
    let any_expression = classified
        .iter()
        .any(|(_, l)| matches!(l, License::Expression(_)));
    if all_spdx && any_expression {
        let parts = classified
            .into_iter()
            .filter_map(|(_, l)| match l {
                License::Id(s) | License::Expression(s) => Some(s),
                _ => None,
            })
            .collect();
        let expression = join_and(parts)?;
        return Some(json!([{"expression": expression, "acknowledgement": "declared"}]));
    }
    let mut seen = std::collections::HashSet::new();
    let entries: Vec<Value> = classified
        .into_iter()
        .filter_map(|(declared, l)| {
            let entry = match l {
                License::Id(id) => json!({"license": {"id": id, "acknowledgement": "declared"}}),
                _ => json!({"license": {"name": declared, "acknowledgement": "declared"}}),
            };
            seen.insert(entry.to_string()).then_some(entry)
        })
        .collect();
    Some(Value::Array(entries))
}
