//! `go.sum`: checksums of the module versions a build downloaded. Only lines with the
//! checksum of a module's source (not `/go.mod` lines) count, and only the highest
//! version of each module (the one minimal version selection picks).
//!
//! It complements `go.mod` in a scan: beside a `go.mod` of Go 1.17 or later it adds
//! nothing (such a `go.mod` lists every module the build needs); beside an older one it
//! adds the modules `go.mod` does not name; alone it counts in full.

use std::collections::BTreeMap;

use super::Ctx;
use super::go_mod::module_purl;

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) {
    let mut best: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let words: Vec<&str> = raw.split_whitespace().collect();
        match words[..] {
            [] => {}
            [path, version, hash] if version.starts_with('v') && hash.contains(':') => {
                if version.ends_with("/go.mod") {
                    continue;
                }
                match best.get(path) {
                    Some((v, _)) if compare(v, version) != std::cmp::Ordering::Less => {}
                    _ => {
                        best.insert(path.to_string(), (version.to_string(), line));
                    }
                }
            }
            _ => ctx.entry_error(Some(line), "expected `MODULE VERSION HASH`"),
        }
    }
    let mut found: Vec<_> = best.into_iter().collect();
    found.sort_by_key(|(_, (_, line))| *line);
    for (path, (version, line)) in found {
        let p = module_purl(&path, &version);
        ctx.add(&path, &version, p, Some(line));
    }
}

/// Orders Go module versions (semantic versions with a `v`): release parts numerically,
/// a pre-release before its release, `+incompatible` ignored.
fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(v: &str) -> (Vec<u64>, Option<&str>) {
        let v = v.trim_start_matches('v');
        let v = v.split('+').next().unwrap_or(v);
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        (core.split('.').map(|n| n.parse().unwrap_or(0)).collect(), pre)
    }
    let (ca, pa) = split(a);
    let (cb, pb) = split(b);
    ca.cmp(&cb).then_with(|| match (pa, pb) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => compare_pre(x, y),
    })
}

fn compare_pre(left: &str, right: &str) -> std::cmp::Ordering {
    let mut ia = left.split('.');
    let mut ib = right.split('.');
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(ident_a), Some(ident_b)) => {
                let order = match (ident_a.parse::<u64>(), ident_b.parse::<u64>()) {
                    (Ok(num_a), Ok(num_b)) => num_a.cmp(&num_b),
                    (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                    (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                    (Err(_), Err(_)) => ident_a.cmp(ident_b),
                };
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
            }
        }
    }
}
