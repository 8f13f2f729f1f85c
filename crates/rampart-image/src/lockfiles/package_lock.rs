//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3.
//!
//! Versions 2 and 3 are read from the `packages` map, whose keys are install paths
//! (`node_modules/a/node_modules/b`): the name is the part after the last
//! `node_modules/`, or the entry's own `name` for an alias. Entries outside any
//! `node_modules/` are workspace members (the project itself) and `link` entries point at
//! them; both are left out. Version 1 (no `packages` map) is read from the nested
//! `dependencies` tree. `dev`, `optional` and `devOptional` are kept on each package.
//! Dependencies from git or from a URL are [`Skipped`](super::Skipped); `file:` and
//! `link:` ones are local code and left out.

use rampart_model::Node;

use super::{Ctx, LockfileError, load_tree, node_line, npm_purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let root = load_tree(ctx, text)?;
    if root.as_map().is_none() {
        return Err(ctx.error(node_line(root.pos), "expected a JSON object"));
    }
    if let Some(packages) = root.get("packages") {
        if packages.as_map().is_none() {
            return Err(ctx.error(node_line(packages.pos), "`packages` is not an object"));
        }
        for (key, entry) in packages.entries() {
            let Some(at) = key.name.rfind("node_modules/") else {
                continue;
            };
            if flag(entry, "link") {
                continue;
            }
            let line = node_line(key.pos);
            let name = entry
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or(&key.name[at + "node_modules/".len()..]);
            let Some(version) = entry.get("version").and_then(Node::scalar_text) else {
                ctx.entry_error(line, format!("{} has no version", key.name));
                continue;
            };
            let resolved = entry.get("resolved").and_then(Node::scalar_text).unwrap_or("");
            add(ctx, name, version, resolved, entry, line);
        }
        return Ok(());
    }
    // Version 1: nested `dependencies`.
    let mut stack: Vec<&Node> = root.get("dependencies").into_iter().collect();
    while let Some(deps) = stack.pop() {
        // Entries are pushed in reverse so they come out in file order.
        let mut nested = Vec::new();
        for (key, entry) in deps.entries() {
            let line = node_line(key.pos);
            let Some(version) = entry.get("version").and_then(Node::scalar_text) else {
                ctx.entry_error(line, format!("{} has no version", key.name));
                continue;
            };
            let resolved = entry.get("resolved").and_then(Node::scalar_text).unwrap_or("");
            add(ctx, &key.name, version, resolved, entry, line);
            if let Some(d) = entry.get("dependencies") {
                nested.push(d);
            }
        }
        stack.extend(nested.into_iter().rev());
    }
    Ok(())
}

fn flag(entry: &Node, key: &str) -> bool {
    entry.get(key).and_then(Node::as_bool) == Some(true)
}

fn add(ctx: &mut Ctx<'_>, name: &str, version: &str, resolved: &str, entry: &Node, line: Option<u32>) {
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
