//! `yarn.lock`: the classic (v1) format of Yarn 1 and the YAML format of Yarn 2 and later
//! ("berry", recognised by its `__metadata:` entry).
//!
//! The classic format is not YAML; a small line parser reads it. Each entry starts with an
//! unindented line listing its specifiers (`"a@^1.0.0", a@^1.2.0:`) and has an indented
//! `version` line. The name comes from the first specifier (the real name for an alias,
//! `alias@npm:real@^1`). Berry entries are read with the YAML loader; the name and the
//! protocol come from `resolution` (`lodash@npm:4.17.21`): `npm:` entries are reported,
//! `workspace:`, `patch:`, `file:`, `link:` and `portal:` ones are the project's own code
//! or a patched copy of an entry that is also listed, and are left out. Git and URL
//! entries are [`Skipped`](super::Skipped).

use rampart_model::Node;

use super::package_lock::split_at_version;
use super::{Ctx, LockfileError, load_tree, node_line, npm_purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    if text.lines().any(|l| l.starts_with("__metadata:")) {
        berry(ctx, text)
    } else {
        classic(ctx, text);
        Ok(())
    }
}

/// An entry of the classic format being read.
struct Entry {
    line: u32,
    spec: String,
    version: Option<String>,
    resolved: Option<String>,
}

fn classic(ctx: &mut Ctx<'_>, text: &str) {
    let mut current: Option<Entry> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let l = raw.trim_end();
        if l.trim_start().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        if indent == 0 {
            if let Some(e) = current.take() {
                finish(ctx, &e);
            }
            let Some(header) = l.strip_suffix(':') else {
                ctx.entry_error(
                    Some(line),
                    format!("expected an entry header ending in `:`, found {l:?}"),
                );
                continue;
            };
            match first_spec(header) {
                Ok(spec) => {
                    current = Some(Entry {
                        line,
                        spec,
                        version: None,
                        resolved: None,
                    });
                }
                Err(m) => ctx.entry_error(Some(line), m),
            }
            continue;
        }
        let Some(entry) = current.as_mut() else {
            ctx.entry_error(Some(line), "indented line outside an entry");
            continue;
        };
        if indent != 2 {
            continue; // the items of `dependencies:` and similar blocks
        }
        let body = l.trim_start();
        let (key, value) = body.split_once(' ').unwrap_or((body, ""));
        let value = match unquote(value.trim()) {
            Ok(v) => v,
            Err(m) => {
                ctx.entry_error(Some(line), m);
                continue;
            }
        };
        match key.trim_matches('"') {
            "version" => entry.version = Some(value),
            "resolved" => entry.resolved = Some(value),
            _ => {}
        }
    }
    if let Some(e) = current.take() {
        finish(ctx, &e);
    }
}

fn finish(ctx: &mut Ctx<'_>, e: &Entry) {
    let line = Some(e.line);
    let Some((mut name, mut range)) = split_at_version(&e.spec) else {
        ctx.entry_error(line, format!("no version range in {:?}", e.spec));
        return;
    };
    if let Some((real, real_range)) = range.strip_prefix("npm:").and_then(split_at_version) {
        (name, range) = (real, real_range);
    }
    let Some(version) = e.version.as_deref() else {
        ctx.entry_error(line, format!("{name} has no version"));
        return;
    };
    let resolved = e.resolved.as_deref().unwrap_or("");
    if range.starts_with("file:") || range.starts_with("link:") || range.starts_with("portal:") {
        return;
    }
    if range.starts_with("git")
        || range.starts_with("github:")
        || (range.contains("://") && !is_registry(resolved))
    {
        ctx.skip(name, line, format!("from {range}, not the npm registry"));
        return;
    }
    let purl = npm_purl(name, version);
    ctx.add(name, version, purl, line);
}

/// A tarball URL of a registry (`.../-/name-1.0.0.tgz`).
fn is_registry(resolved: &str) -> bool {
    resolved.contains("/-/")
}

/// The first specifier of a header (`"@a/b@^1", "@a/b@^1.2"`), unquoted.
fn first_spec(header: &str) -> Result<String, String> {
    let header = header.trim();
    if let Some(rest) = header.strip_prefix('"') {
        let end = rest
            .find('"')
            .ok_or_else(|| format!("unterminated quote in {header:?}"))?;
        Ok(rest[..end].to_string())
    } else {
        let spec = header.split(',').next().unwrap_or("").trim();
        if spec.is_empty() {
            return Err("empty entry header".into());
        }
        Ok(spec.to_string())
    }
}

fn unquote(v: &str) -> Result<String, String> {
    match v.strip_prefix('"') {
        Some(rest) => rest
            .strip_suffix('"')
            .map(|s| s.replace("\\\"", "\""))
            .ok_or_else(|| format!("unterminated quote in {v:?}")),
        None => Ok(v.to_string()),
    }
}

fn berry(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let root = load_tree(ctx, text)?;
    if root.as_map().is_none() {
        return Err(ctx.error(node_line(root.pos), "expected a mapping of entries"));
    }
    for (key, entry) in root.entries() {
        if key.name == "__metadata" {
            continue;
        }
        let line = node_line(key.pos);
        let resolution = entry.get("resolution").and_then(Node::scalar_text);
        let version = entry.get("version").and_then(Node::scalar_text);
        let (Some(resolution), Some(version)) = (resolution, version) else {
            ctx.entry_error(line, format!("{} has no resolution or version", key.name));
            continue;
        };
        let Some((name, reference)) = split_at_version(resolution) else {
            ctx.entry_error(line, format!("cannot read the resolution {resolution:?}"));
            continue;
        };
        let protocol = reference.split_once(':').map_or("", |(p, _)| p);
        match protocol {
            "npm" => {
                let purl = npm_purl(name, version);
                ctx.add(name, version, purl, line);
            }
            "workspace" | "patch" | "file" | "link" | "portal" | "exec" => {}
            _ => ctx.skip(name, line, format!("from {reference}, not the npm registry")),
        }
    }
    Ok(())
}
