//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3.
//!
//! Versions 2 and 3 are read from the `packages` map, whose keys are install paths
//! (`node_modules/a/node_modules/b`): the name is the part after the last
//! `node_modules/`, or the entry's own `name` for an alias. Entries outside any
//! `node_modules/` are workspace members (the project itself) and `link` entries point at
//! them; both are left out. Version 1 (no `packages` map) is read from the nested
//! `dependencies` tree, in document order. `dev`, `optional` and `devOptional` are kept on
//! each package. Dependencies from git or from a URL are [`Skipped`](super::Skipped);
//! `file:` and `link:` ones are local code and left out.

use serde_json::Value;

use super::{Ctx, JsonLines, LockfileError, from_json, npm_purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let root = from_json(ctx, text)?;
    let Some(root) = root.as_object() else {
        return Err(ctx.error(None, "expected a JSON object"));
    };
    let mut lines = JsonLines::new(text);
    if let Some(packages) = root.get("packages") {
        let Some(packages) = packages.as_object() else {
            return Err(ctx.error(lines.find("packages", ""), "`packages` is not an object"));
        };
        for (key, entry) in packages {
            let Some(at) = key.rfind("node_modules/") else {
                continue;
            };
            let line = lines.find(key, "{");
            if flag(entry, "link") {
                continue;
            }
            let name = str_of(entry, "name").unwrap_or(&key[at + "node_modules/".len()..]);
            let Some(version) = str_of(entry, "version") else {
                ctx.entry_error(line, format!("{key} has no version"));
                continue;
            };
            let resolved = str_of(entry, "resolved").unwrap_or("");
            add(ctx, name, version, resolved, entry, line);
        }
        return Ok(());
    }
    // Version 1: nested `dependencies`, depth first in document order.
    let mut stack: Vec<serde_json::map::Iter<'_>> = Vec::new();
    if let Some(deps) = root.get("dependencies").and_then(Value::as_object) {
        stack.push(deps.iter());
    }
    while let Some(top) = stack.last_mut() {
        let Some((key, entry)) = top.next() else {
            stack.pop();
            continue;
        };
        let line = lines.find(key, "{");
        let Some(version) = str_of(entry, "version") else {
            ctx.entry_error(line, format!("{key} has no version"));
            continue;
        };
        let resolved = str_of(entry, "resolved").unwrap_or("");
        add(ctx, key, version, resolved, entry, line);
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            stack.push(nested.iter());
        }
    }
    Ok(())
}

fn str_of<'a>(entry: &'a Value, key: &str) -> Option<&'a str> {
    entry.get(key).and_then(Value::as_str)
}

fn flag(entry: &Value, key: &str) -> bool {
    entry.get(key).and_then(Value::as_bool) == Some(true)
}

fn add(ctx: &mut Ctx<'_>, name: &str, version: &str, resolved: &str, entry: &Value, line: Option<u32>) {
    // v1 aliases: `"version": "npm:real-name@1.2.3"`.
    let (name, version) = match version.strip_prefix("npm:").and_then(|v| split_at_version(v)) {
        Some((n, v)) => (n, v),
        None => (name, version),
    };
    let source = if resolved.is_empty() { version } else { resolved };
    if version.starts_with("file:") || version.starts_with("link:") || resolved.starts_with("file:") {
        return;
    }
    if source.starts_with("git") || source.starts_with("github:") || version.contains("://") {
        ctx.skip(name, line, format!("from {source}, not the npm registry"));
        return;
    }
    let purl = npm_purl(name, version);
    let p = ctx.add(name, version, purl, line);
    // `devOptional`: a dev dependency that is also an optional one of a run-time
    // dependency, so possibly installed in production.
    p.dev = flag(entry, "dev");
    p.optional = flag(entry, "optional") || flag(entry, "devOptional");
}

/// `name@version` (or `name@range`, `name@npm:real@range`) with a possibly scoped
/// name: splits at the first `@` that is not the first character.
pub(crate) fn split_at_version(s: &str) -> Option<(&str, &str)> {
    let at = s.get(1..)?.find('@')? + 1;
    Some((&s[..at], &s[at + 1..]))
}
