//! `pnpm-lock.yaml`, lockfile versions 5 to 9, read from the keys of its `packages` map.
//!
//! The key formats differ by version: `/name/1.0.0` and `/name/1.0.0_peer@2.0.0` (v5),
//! `/name@1.0.0(peer@2.0.0)` (v6), `name@1.0.0` (v9, whose peer variants live in
//! `snapshots`, not read). Peer suffixes are dropped, so a package installed once per peer
//! set is reported once. `dev` and `optional` are kept (v5 and v6 write them on each
//! package; for v9 they are worked out from `importers` and `snapshots`). Keys whose
//! version is not a registry version (`file:`, `link:`, git and tarball URLs) are left
//! out (local code) or [`Skipped`](super::Skipped).

use std::collections::{HashMap, HashSet};

use rampart_model::Node;

use super::package_lock::split_at_version;
use super::{Ctx, LockfileError, load_tree, node_line, npm_purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let root = load_tree(ctx, text)?;
    if root.as_map().is_none() {
        return Err(ctx.error(node_line(root.pos), "expected a mapping"));
    }
    let version = root
        .get("lockfileVersion")
        .and_then(Node::scalar_text)
        .unwrap_or("");
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or(0);
    let Some(packages) = root.get("packages") else {
        return Ok(());
    };
    if packages.as_map().is_none() && !packages.is_null() {
        return Err(ctx.error(node_line(packages.pos), "`packages` is not a mapping"));
    }
    let v9 = (major >= 9).then(|| v9_flags(&root));
    for (key, entry) in packages.entries() {
        let line = node_line(key.pos);
        let Some((name, version)) = split_key(&key.name, major) else {
            ctx.entry_error(line, format!("cannot read the package key {:?}", key.name));
            continue;
        };
        // Non-registry entries also carry their real name and version.
        let name = entry.get("name").and_then(Node::scalar_text).unwrap_or(name);
        let local_or_git =
            entry.at("resolution.type").is_some() || entry.at("resolution.directory").is_some();
        if local_or_git || !version.starts_with(|c: char| c.is_ascii_digit()) {
            let local = version.starts_with("file:")
                || version.starts_with("link:")
                || entry.at("resolution.directory").is_some();
            if !local {
                ctx.skip(name, line, format!("from {version}, not the npm registry"));
            }
            continue;
        }
        let purl = npm_purl(name, version);
        let id = format!("{name}@{version}");
        let p = ctx.add(name, version, purl, line);
        if let Some(flags) = &v9 {
            p.dev = !flags.prod.contains(&id) && flags.dev.contains(&id);
            p.optional = flags.optional.contains(&id);
        } else {
            p.dev = entry.get("dev").and_then(Node::as_bool) == Some(true);
            p.optional = entry.get("optional").and_then(Node::as_bool) == Some(true);
        }
    }
    Ok(())
}

/// Version 9 records no `dev` flag on packages: what the importers' `devDependencies`
/// reach through `snapshots`, and their `dependencies` and `optionalDependencies` do
/// not, is dev. `optional` comes from the snapshots. Sets hold `name@version` without
/// peer suffixes.
struct V9Flags {
    prod: HashSet<String>,
    dev: HashSet<String>,
    optional: HashSet<String>,
}

fn v9_flags(root: &Node) -> V9Flags {
    let snapshots = root.get("snapshots");
    // An index: `Node::get` is a linear search, and every snapshot is looked up.
    let index: HashMap<&str, &Node> = snapshots
        .map(Node::entries)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.name.as_str(), v))
        .collect();
    let strip = |key: &str| key.split('(').next().unwrap_or(key).to_string();
    let reach = |roots: Vec<String>| -> HashSet<String> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut queue = roots;
        while let Some(key) = queue.pop() {
            if !seen.insert(key.clone()) {
                continue;
            }
            let Some(snap) = index.get(key.as_str()) else {
                continue;
            };
            for group in ["dependencies", "optionalDependencies"] {
                for (dep, version) in snap.get(group).map(Node::entries).into_iter().flatten() {
                    if let Some(v) = version.scalar_text() {
                        queue.push(format!("{}@{v}", dep.name));
                    }
                }
            }
        }
        seen.iter().map(|k| strip(k)).collect()
    };
    let mut prod_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for (_, importer) in root.get("importers").map(Node::entries).into_iter().flatten() {
        for group in ["dependencies", "optionalDependencies", "devDependencies"] {
            for (dep, spec) in importer.get(group).map(Node::entries).into_iter().flatten() {
                if let Some(v) = spec.get("version").and_then(Node::scalar_text) {
                    let roots = if group == "devDependencies" {
                        &mut dev_roots
                    } else {
                        &mut prod_roots
                    };
                    roots.push(format!("{}@{v}", dep.name));
                }
            }
        }
    }
    let optional = snapshots
        .map(Node::entries)
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.get("optional").and_then(Node::as_bool) == Some(true))
        .map(|(k, _)| strip(&k.name))
        .collect();
    V9Flags {
        prod: reach(prod_roots),
        dev: reach(dev_roots),
        optional,
    }
}

/// Name and version of a `packages` key.
fn split_key(key: &str, major: u32) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    if (1..6).contains(&major) {
        // `name/1.0.0_peer@1.0.0`, `@scope/name/1.0.0`.
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next().unwrap_or(version);
        return (!name.is_empty() && !version.is_empty()).then_some((name, version));
    }
    let key = match key.find('(') {
        Some(i) => &key[..i],
        None => key,
    };
    let (name, version) = split_at_version(key)?;
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}
