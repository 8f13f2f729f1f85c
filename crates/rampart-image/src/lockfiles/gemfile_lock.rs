//! `Gemfile.lock` (and `gems.locked`) of Bundler.
//!
//! Gems are read from the `specs:` of every `GEM` section: lines indented four spaces,
//! `name (version)` or `name (version-platform)`; the indented lines below them are their
//! dependencies and are not read. A platform suffix (`1.16.0-x86_64-linux`) goes to the
//! purl's `platform` qualifier. Gems from `GIT` and `PATH` sections are
//! [`Skipped`](super::Skipped) (git) or left out (local code).

use super::Ctx;
use crate::package::{PackageType, purl};

#[derive(PartialEq)]
enum Section {
    Gem,
    Git,
    Other,
}

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) {
    let mut section = Section::Other;
    let mut in_specs = false;
    let mut remote = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let l = raw.trim_end();
        if l.is_empty() {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        if indent == 0 {
            section = match l {
                "GEM" => Section::Gem,
                "GIT" => Section::Git,
                _ => Section::Other,
            };
            in_specs = false;
            remote.clear();
            continue;
        }
        if section == Section::Other {
            continue;
        }
        if indent == 2 {
            let body = l.trim_start();
            in_specs = body == "specs:";
            if let Some(r) = body.strip_prefix("remote: ") {
                remote = r.to_string();
            }
            continue;
        }
        if !in_specs || indent != 4 {
            continue;
        }
        let body = l.trim_start();
        let parsed = body
            .split_once(" (")
            .and_then(|(name, rest)| Some((name, rest.strip_suffix(')')?)));
        let Some((name, full)) = parsed.filter(|(n, v)| !n.is_empty() && !v.is_empty()) else {
            ctx.entry_error(Some(line), format!("expected `name (version)`, found {body:?}"));
            continue;
        };
        if section == Section::Git {
            ctx.skip(
                name,
                Some(line),
                format!("from the git repository {remote}, not a gem server"),
            );
            continue;
        }
        // Gem versions have no `-`: what follows the first one is the platform.
        let (version, platform) = full.split_once('-').unwrap_or((full, ""));
        let p = purl(PackageType::Gem, None, name, version, &[("platform", platform)]);
        ctx.add(name, version, p, Some(line));
    }
}
