//! `composer.lock`: the `packages` and `packages-dev` lists (the latter marked `dev`).
//! Names are `vendor/package`; versions are kept as written (`v5.4.0` or `5.4.0`).

use serde_json::Value;

use super::{Ctx, JsonLines, LockfileError, from_json};
use crate::package::{PackageType, purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let root = from_json(ctx, text)?;
    let Some(root) = root.as_object() else {
        return Err(ctx.error(None, "expected a JSON object"));
    };
    let mut lines = JsonLines::new(text);
    for (list, dev) in [("packages", false), ("packages-dev", true)] {
        let Some(items) = root.get(list) else { continue };
        if items.is_null() {
            continue;
        }
        let Some(items) = items.as_array() else {
            return Err(ctx.error(lines.find(list, ""), format!("`{list}` is not a list")));
        };
        for item in items {
            let name = item.get("name").and_then(Value::as_str);
            let version = item.get("version").and_then(Value::as_str);
            let (Some(name), Some(version)) = (name, version) else {
                ctx.entry_error(None, format!("an entry of `{list}` has no name or version"));
                continue;
            };
            // The value as far as the first `/`, which older Composer versions escape.
            let quoted = serde_json::to_string(name).unwrap_or_default();
            let prefix = quoted.split('/').next().unwrap_or(&quoted);
            let line = lines.find("name", prefix);
            let p = match name.split_once('/') {
                Some((vendor, bare)) => purl(PackageType::Composer, Some(vendor), bare, version, &[]),
                None => purl(PackageType::Composer, None, name, version, &[]),
            };
            ctx.add(name, version, p, line).dev = dev;
        }
    }
    Ok(())
}
