//! `composer.lock`: the `packages` and `packages-dev` lists (the latter marked `dev`).
//! Names are `vendor/package`; versions are kept as written (`v5.4.0` or `5.4.0`).

use rampart_model::Node;

use super::{Ctx, LockfileError, load_tree, node_line};
use crate::package::{PackageType, purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let root = load_tree(ctx, text)?;
    if root.as_map().is_none() {
        return Err(ctx.error(node_line(root.pos), "expected a JSON object"));
    }
    for (list, dev) in [("packages", false), ("packages-dev", true)] {
        let Some(items) = root.get(list) else { continue };
        if items.as_seq().is_none() && !items.is_null() {
            return Err(ctx.error(node_line(items.pos), format!("`{list}` is not a list")));
        }
        for item in items.items() {
            let line = node_line(item.get_entry("name").map_or(item.pos, |(k, _)| k.pos));
            let name = item.get("name").and_then(Node::scalar_text);
            let version = item.get("version").and_then(Node::scalar_text);
            let (Some(name), Some(version)) = (name, version) else {
                ctx.entry_error(line, format!("an entry of `{list}` has no name or version"));
                continue;
            };
            let p = match name.split_once('/') {
                Some((vendor, bare)) => purl(PackageType::Composer, Some(vendor), bare, version, &[]),
                None => purl(PackageType::Composer, None, name, version, &[]),
            };
            ctx.add(name, version, p, line).dev = dev;
        }
    }
    Ok(())
}
