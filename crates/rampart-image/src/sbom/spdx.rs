//! SPDX 2.3 JSON. The document describes the image (a `CONTAINER` package), which
//! contains the distribution (an `OPERATING_SYSTEM` package) and every package found.
//! Declared licences that are not SPDX become `LicenseRef-` ids explained in
//! `hasExtractedLicensingInfos`.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::license::{self, License};
use super::{
    Options, Subject, TOOL_NAME, TOOL_VERSION, document_uuid, image_purl, package_ids, sorted_packages,
    split_digest,
};
use crate::inventory::Inventory;
use crate::package::{Distro, Package};

/// The SPDX id of the image package.
pub const IMAGE_ID: &str = "SPDXRef-Image";
/// The SPDX id of the distribution package.
pub const DISTRO_ID: &str = "SPDXRef-OperatingSystem";

/// Writes the inventory as an SPDX 2.3 JSON document, followed by a newline.
pub fn write_spdx(
    inv: &Inventory,
    subject: &Subject,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = to_value(inv, subject, options);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// The `LicenseRef-`s of one document: each distinct text gets one id.
#[derive(Default)]
struct LicenseRefs {
    by_text: HashMap<String, String>,
    by_id: BTreeMap<String, String>,
}

impl LicenseRefs {
    /// Reserves the `LicenseRef-`s that packages declare themselves, before any id is made
    /// for free text, so a made id never takes a declared one.
    fn reserve_declared(&mut self, packages: &[&Package]) {
        for p in packages {
            for d in &p.licenses {
                let expression = match license::classify(d) {
                    Some(License::Expression(e)) => e,
                    Some(License::Partial { tree, .. }) => tree.render(&mut |_| String::new()),
                    _ => continue,
                };
                for word in expression.split([' ', '(', ')']) {
                    if license::is_license_ref(word) {
                        self.by_id.entry(word.to_string()).or_insert_with(|| {
                            format!(
                                "{word} is declared by the package; its text is not in the \
                                 package metadata Rampart read."
                            )
                        });
                    }
                }
            }
        }
    }

    fn id_for(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let base = license::license_ref_for(text);
        let mut id = base.clone();
        let mut n = 1;
        while self.by_id.contains_key(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.by_text.insert(text.to_string(), id.clone());
        self.by_id.insert(id.clone(), text.to_string());
        id
    }

    /// The `licenseDeclared` of a package: the declared licences joined with `AND`.
    fn declared(&mut self, declared: &[String]) -> String {
        let mut parts = Vec::new();
        for d in declared {
            match license::classify(d) {
                None => {}
                Some(License::Id(s) | License::Expression(s)) => parts.push(s),
                Some(License::Partial { tree, .. }) => parts.push(tree.render(&mut |u| self.id_for(u))),
                Some(License::Text(t)) => parts.push(self.id_for(&t)),
            }
        }
        super::json::join_and(parts).unwrap_or_else(|| "NOASSERTION".to_string())
    }
}

/// Replaces characters SPDX ids may not hold (anything but letters, digits, `.`, `-`).
fn id_chars(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(48)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The document as a JSON value.
pub fn to_value(inv: &Inventory, subject: &Subject, options: &Options) -> Value {
    let packages = sorted_packages(inv);
    let ids = package_ids(&packages, |p| {
        let name = id_chars(&p.name);
        format!(
            "SPDXRef-Package-{}-{}{}",
            p.kind.as_str(),
            name,
            if name.is_empty() { "" } else { "-" }
        )
    });
    let uuid = document_uuid("spdx-2.3", inv, subject, options.document_id);
    let name = image_name(subject);
    let mut refs = LicenseRefs::default();
    refs.reserve_declared(&packages);

    let mut spdx_packages = vec![image_package(subject)];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": IMAGE_ID,
    })];
    if let Some(d) = &inv.distro {
        spdx_packages.push(distro_package(d));
        relationships.push(contains(DISTRO_ID));
    }
    for (p, id) in packages.iter().zip(&ids) {
        spdx_packages.push(package(p, id, &mut refs));
        relationships.push(contains(id));
    }

    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!("SPDX-2.3"));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    doc.insert("name".into(), json!(name));
    doc.insert(
        "documentNamespace".into(),
        json!(format!(
            "{}/spdx/{}-{uuid}",
            env!("CARGO_PKG_REPOSITORY"),
            namespace_segment(&name)
        )),
    );
    doc.insert(
        "creationInfo".into(),
        json!({
            "created": options.created.rfc3339(),
            "creators": [format!("Tool: {TOOL_NAME}-{TOOL_VERSION}")],
        }),
    );
    doc.insert("packages".into(), Value::Array(spdx_packages));
    doc.insert("relationships".into(), Value::Array(relationships));
    if !refs.by_id.is_empty() {
        let infos: Vec<Value> = refs
            .by_id
            .iter()
            .map(|(id, text)| {
                if refs.by_text.get(text) == Some(id) {
                    json!({
                        "licenseId": id,
                        "name": text,
                        "extractedText": text,
                        "comment": "Licence as declared by the package; not an SPDX licence id or expression.",
                    })
                } else {
                    json!({"licenseId": id, "extractedText": text})
                }
            })
            .collect();
        doc.insert("hasExtractedLicensingInfos".into(), Value::Array(infos));
    }
    Value::Object(doc)
}

fn contains(id: &str) -> Value {
    json!({
        "spdxElementId": IMAGE_ID,
        "relationshipType": "CONTAINS",
        "relatedSpdxElement": id,
    })
}

fn image_name(s: &Subject) -> String {
    if s.reference.trim().is_empty() {
        "image".to_string()
    } else {
        s.reference.clone()
    }
}

/// A path segment of the namespace URI: the image name with anything outside
/// `[A-Za-z0-9._-]` replaced.
fn namespace_segment(name: &str) -> String {
    let s: String = name
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-');
    if s.is_empty() {
        "image".to_string()
    } else {
        s.to_string()
    }
}

fn purl_ref(purl: &str) -> Value {
    json!({
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": purl,
    })
}

fn image_package(s: &Subject) -> Value {
    let mut p = Map::new();
    p.insert("name".into(), json!(image_name(s)));
    p.insert("SPDXID".into(), json!(IMAGE_ID));
    if let Some(d) = s.digest() {
        p.insert("versionInfo".into(), json!(d));
    }
    p.insert("downloadLocation".into(), json!("NOASSERTION"));
    p.insert("filesAnalyzed".into(), json!(false));
    if let Some(("sha256", h)) = s.manifest_digest.as_deref().and_then(split_digest) {
        p.insert(
            "checksums".into(),
            json!([{"algorithm": "SHA256", "checksumValue": h.to_ascii_lowercase()}]),
        );
    }
    p.insert("licenseConcluded".into(), json!("NOASSERTION"));
    p.insert("licenseDeclared".into(), json!("NOASSERTION"));
    p.insert("copyrightText".into(), json!("NOASSERTION"));
    if let Some(purl) = image_purl(s) {
        p.insert("externalRefs".into(), json!([purl_ref(&purl)]));
    }
    p.insert("primaryPackagePurpose".into(), json!("CONTAINER"));
    let mut comment = vec![format!("source: {}", s.source.as_str())];
    if let Some(d) = &s.manifest_digest {
        comment.push(format!("manifest digest: {d}"));
    }
    if let Some(d) = &s.config_digest {
        comment.push(format!("config digest: {d}"));
    }
    if let Some(pl) = &s.platform {
        comment.push(format!("platform: {pl}"));
    }
    if !s.layers.is_empty() {
        comment.push(format!("layers: {}", s.layers.join(" ")));
    }
    let comment = comment.join("; ");
    p.insert("comment".into(), json!(comment));
    Value::Object(p)
}

fn distro_package(d: &Distro) -> Value {
    let mut p = Map::new();
    p.insert("name".into(), json!(d.id));
    p.insert("SPDXID".into(), json!(DISTRO_ID));
    if !d.version_id.is_empty() {
        p.insert("versionInfo".into(), json!(d.version_id));
    }
    p.insert("downloadLocation".into(), json!("NOASSERTION"));
    p.insert("filesAnalyzed".into(), json!(false));
    p.insert("licenseConcluded".into(), json!("NOASSERTION"));
    p.insert("licenseDeclared".into(), json!("NOASSERTION"));
    p.insert("copyrightText".into(), json!("NOASSERTION"));
    if let Some(n) = &d.pretty_name {
        p.insert("description".into(), json!(n));
    }
    p.insert("primaryPackagePurpose".into(), json!("OPERATING_SYSTEM"));
    Value::Object(p)
}

fn package(pkg: &Package, id: &str, refs: &mut LicenseRefs) -> Value {
    let mut p = Map::new();
    let name = if pkg.name.is_empty() {
        "unnamed"
    } else {
        pkg.name.as_str()
    };
    p.insert("name".into(), json!(name));
    p.insert("SPDXID".into(), json!(id));
    if !pkg.version.is_empty() {
        p.insert("versionInfo".into(), json!(pkg.version));
    }
    p.insert("downloadLocation".into(), json!("NOASSERTION"));
    p.insert("filesAnalyzed".into(), json!(false));
    p.insert("licenseConcluded".into(), json!("NOASSERTION"));
    p.insert("licenseDeclared".into(), json!(refs.declared(&pkg.licenses)));
    p.insert("copyrightText".into(), json!("NOASSERTION"));
    if !pkg.purl.is_empty() {
        p.insert("externalRefs".into(), json!([purl_ref(&pkg.purl)]));
    }
    let locations: Vec<String> = pkg
        .locations
        .iter()
        .map(|l| match &l.layer {
            Some(layer) => format!("{} (layer {layer})", l.path),
            None => l.path.clone(),
        })
        .collect();
    p.insert(
        "sourceInfo".into(),
        json!(format!(
            "found by the rampart {} cataloger in: {}",
            pkg.cataloger,
            if locations.is_empty() {
                "(no location)".to_string()
            } else {
                locations.join(", ")
            }
        )),
    );
    let mut comment = vec![format!("type: {}", pkg.kind.as_str())];
    if let Some(s) = &pkg.source {
        comment.push(format!("source package: {} {}", s.name, s.version));
    }
    if let Some(a) = &pkg.arch {
        comment.push(format!("architecture: {a}"));
    }
    p.insert("comment".into(), json!(comment.join("; ")));
    // Rampart does not tell applications from libraries: every package is a LIBRARY,
    // as every package is a CycloneDX `library`.
    p.insert("primaryPackagePurpose".into(), json!("LIBRARY"));
    Value::Object(p)
}
