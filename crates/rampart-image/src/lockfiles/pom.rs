//! `pom.xml`: the dependency versions a Maven project declares (no resolution of
//! transitive dependencies, parents or imported BOMs: that needs a repository).
//!
//! Reported: every `<dependency>` of `<project><dependencies>`, named
//! `groupId:artifactId`, with its version from its own `<version>` or from the
//! `<dependencyManagement>` of the same POM. `${property}` references are resolved from
//! `<properties>` and from the POM's own coordinates (`project.version`,
//! `project.groupId`, `project.parent.version` ...). A dependency whose version is
//! missing (managed by a parent POM or BOM), comes from a property the POM does not
//! define, or is a version range, is [`Skipped`](super::Skipped), never guessed.
//! `test` scope marks a package `dev`; `<optional>true</optional>` marks it optional.
//! Dependencies inside `<profiles>` and `<build><plugins>` are not read.

use std::collections::HashMap;

use roxmltree::{Document, Node, ParsingOptions};

use super::{Ctx, LockfileError};
use crate::package::{PackageType, purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        ctx.error(Some(pos.row), format!("invalid XML: {e}"))
    })?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return Err(ctx.error(Some(row(&doc, project)), "the root element is not <project>"));
    }
    let parent = child(project, "parent");
    let own = |name: &str| child_text(project, name).or_else(|| parent.and_then(|p| child_text(p, name)));
    let mut props: HashMap<String, String> = HashMap::new();
    for (key, value) in [
        ("project.groupId", own("groupId")),
        ("project.artifactId", child_text(project, "artifactId")),
        ("project.version", own("version")),
        (
            "project.parent.groupId",
            parent.and_then(|p| child_text(p, "groupId")),
        ),
        (
            "project.parent.artifactId",
            parent.and_then(|p| child_text(p, "artifactId")),
        ),
        (
            "project.parent.version",
            parent.and_then(|p| child_text(p, "version")),
        ),
    ] {
        if let Some(v) = value {
            props.insert(key.to_string(), v.to_string());
            // The deprecated forms without `project.`.
            if let Some(short) = key.strip_prefix("project.").filter(|k| !k.starts_with("parent")) {
                props.insert(short.to_string(), v.to_string());
            }
        }
    }
    if let Some(p) = child(project, "properties") {
        for prop in p.children().filter(Node::is_element) {
            props.insert(
                prop.tag_name().name().to_string(),
                prop.text().unwrap_or("").trim().to_string(),
            );
        }
    }

    let managed: HashMap<(String, String), String> = child(project, "dependencyManagement")
        .and_then(|m| child(m, "dependencies"))
        .into_iter()
        .flat_map(|d| d.children().filter(|n| n.tag_name().name() == "dependency"))
        .filter_map(|d| {
            let g = resolve(child_text(d, "groupId")?, &props).ok()?;
            let a = resolve(child_text(d, "artifactId")?, &props).ok()?;
            Some(((g, a), child_text(d, "version")?.to_string()))
        })
        .collect();

    let Some(deps) = child(project, "dependencies") else {
        return Ok(());
    };
    for dep in deps.children().filter(|n| n.tag_name().name() == "dependency") {
        let line = Some(row(&doc, dep));
        let (Some(group), Some(artifact)) = (child_text(dep, "groupId"), child_text(dep, "artifactId"))
        else {
            ctx.entry_error(line, "a <dependency> without <groupId> or <artifactId>");
            continue;
        };
        let raw_name = format!("{group}:{artifact}");
        let (group, artifact) = match (resolve(group, &props), resolve(artifact, &props)) {
            (Ok(g), Ok(a)) => (g, a),
            (Err(p), _) | (_, Err(p)) => {
                ctx.skip(
                    &raw_name,
                    line,
                    format!("the property {p} is not defined in this POM"),
                );
                continue;
            }
        };
        let name = format!("{group}:{artifact}");
        let raw_version = child_text(dep, "version")
            .map(str::to_string)
            .or_else(|| managed.get(&(group.clone(), artifact.clone())).cloned());
        let Some(raw_version) = raw_version else {
            ctx.skip(
                &name,
                line,
                "no version in this POM (managed by a parent POM or an imported BOM)",
            );
            continue;
        };
        let version = match resolve(&raw_version, &props) {
            Ok(v) => v,
            Err(p) => {
                ctx.skip(
                    &name,
                    line,
                    format!("version {raw_version}: the property {p} is not defined in this POM"),
                );
                continue;
            }
        };
        if version.starts_with(['[', '(']) || version.contains(',') {
            ctx.skip(
                &name,
                line,
                format!("a version range ({version}), not a pinned version"),
            );
            continue;
        }
        let scope = child_text(dep, "scope").unwrap_or("compile");
        let optional = child_text(dep, "optional") == Some("true");
        let p = purl(PackageType::Maven, Some(&group), &artifact, &version, &[]);
        let pkg = ctx.add(&name, &version, p, line);
        pkg.dev = scope == "test";
        pkg.optional = optional;
    }
    Ok(())
}

fn row(doc: &Document<'_>, node: Node<'_, '_>) -> u32 {
    doc.text_pos_at(node.range().start).row
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

fn child_text<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name)
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Replaces `${name}` references (nested ones too, up to a depth that stops cycles).
/// `Err` names the first property that is not defined.
fn resolve(value: &str, props: &HashMap<String, String>) -> Result<String, String> {
    let mut s = value.to_string();
    for _ in 0..16 {
        let Some(start) = s.find("${") else {
            return Ok(s);
        };
        let Some(len) = s[start..].find('}') else {
            return Ok(s);
        };
        let key = &s[start + 2..start + len];
        let Some(v) = props.get(key) else {
            return Err(key.to_string());
        };
        s = format!("{}{}{}", &s[..start], v, &s[start + len + 1..]);
        if s.len() > 4096 {
            break;
        }
    }
    Err(format!("{value} (references nest too deeply)"))
}
