//! `pnpm-lock.yaml`, lockfile versions 5 to 9, read from the keys of its `packages` map.
//!
//! The key formats differ by version: `/name/1.0.0` and `/name/1.0.0_peer@2.0.0` (v5),
//! `/name@1.0.0(peer@2.0.0)` (v6), `name@1.0.0` (v9, whose peer variants live in
//! `snapshots`, not read). Peer suffixes are dropped, so a package installed once per peer
//! set is reported once. `dev` and `optional` (v5 and v6 only) are kept. Keys whose
//! version is not a registry version (`file:`, `link:`, git and tarball URLs) are left
//! out (local code) or [`Skipped`](super::Skipped).

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
        let p = ctx.add(name, version, purl, line);
        p.dev = entry.get("dev").and_then(Node::as_bool) == Some(true);
        p.optional = entry.get("optional").and_then(Node::as_bool) == Some(true);
    }
    Ok(())
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
