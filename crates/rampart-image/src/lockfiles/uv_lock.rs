//! `uv.lock`.
//!
//! Packages whose `source` is a `registry` (PyPI or another index) are reported. The
//! project itself and local code (`virtual`, `editable`, `directory`, `path`) are left
//! out; `git` and `url` sources are [`Skipped`](super::Skipped). uv.lock records
//! development groups on the packages that declare them, not on the packages they pull
//! in, so no package is marked `dev`.

use serde::Deserialize;
use toml::Spanned;

use super::{Ctx, Lines, LockfileError, pypi_purl};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    /// Absent for dynamic versions of local projects.
    version: Option<String>,
    #[serde(default)]
    source: toml::Table,
}

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let lock: Lock = super::from_toml(ctx, text)?;
    let lines = Lines::new(text);
    for e in lock.package {
        let line = Some(lines.line(e.name.span().start));
        let name = e.name.get_ref();
        let source = &e.source;
        if source.contains_key("registry") {
            let Some(version) = e.version.as_deref() else {
                ctx.entry_error(line, format!("{name} has no version"));
                continue;
            };
            let purl = pypi_purl(name, version);
            ctx.add(name, version, purl, line);
        } else if let Some((kind, url)) = source.iter().find(|(k, _)| *k == "git" || *k == "url") {
            let url = url.as_str().unwrap_or("");
            ctx.skip(
                name,
                line,
                format!("from the {kind} source {url}, not a package index"),
            );
        }
    }
    Ok(())
}
