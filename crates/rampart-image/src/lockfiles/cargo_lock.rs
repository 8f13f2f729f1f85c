//! `Cargo.lock`, versions 1 to 4 (`[[package]]` tables look the same in all of them;
//! v1 keeps checksums in `[metadata]`, which is not needed here).
//!
//! Crates from crates.io (`registry+https://github.com/rust-lang/crates.io-index` or
//! `sparse+https://index.crates.io/`) are reported. Workspace members and path
//! dependencies (no `source`) are the project itself and are left out silently; crates
//! from git or from another registry are [`Skipped`](super::Skipped): crates.io advisories
//! do not apply to them by name.

use serde::Deserialize;
use toml::Spanned;

use super::{Ctx, Lines, LockfileError};
use crate::package::{PackageType, purl};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    version: String,
    source: Option<String>,
}

const CRATES_IO: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let lock: Lock = super::from_toml(ctx, text)?;
    let lines = Lines::new(text);
    for e in lock.package {
        let line = Some(lines.line(e.name.span().start));
        let name = e.name.get_ref();
        match e.source.as_deref() {
            None => {}
            Some(s) if CRATES_IO.contains(&s) => {
                let p = purl(PackageType::Cargo, None, name, &e.version, &[]);
                ctx.add(name, &e.version, p, line);
            }
            Some(s) if s.starts_with("git+") => {
                let url = s.trim_start_matches("git+");
                ctx.skip(
                    name,
                    line,
                    format!("from the git repository {url}, not crates.io"),
                );
            }
            Some(s) => {
                let url = s.split_once('+').map_or(s, |(_, u)| u);
                ctx.skip(name, line, format!("from the registry {url}, not crates.io"));
            }
        }
    }
    Ok(())
}
