//! `poetry.lock` (Poetry 1 and 2).
//!
//! Every `[[package]]` is reported unless its `[package.source]` is a git repository, a
//! local directory or file, or a URL (`type = "git" | "directory" | "file" | "url"`):
//! git and URL ones are [`Skipped`](super::Skipped), local ones left out. Packages from a
//! custom index (`type = "legacy"`) are reported like PyPI ones. A package is `dev` when
//! its `groups` (Poetry 2) do not include `main`, or its `category` (Poetry 1) is `dev`.

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
    version: String,
    #[serde(default)]
    optional: bool,
    category: Option<String>,
    groups: Option<Vec<String>>,
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
}

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) -> Result<(), LockfileError> {
    let lock: Lock = super::from_toml(ctx, text)?;
    let lines = Lines::new(text);
    for e in lock.package {
        let line = Some(lines.line(e.name.span().start));
        let name = e.name.get_ref();
        if let Some(source) = &e.source {
            let url = source.url.as_deref().unwrap_or("");
            match source.kind.as_deref() {
                Some("directory" | "file") => continue,
                Some(kind @ ("git" | "url")) => {
                    ctx.skip(
                        name,
                        line,
                        format!("from the {kind} source {url}, not a package index"),
                    );
                    continue;
                }
                _ => {}
            }
        }
        let dev = match (&e.groups, &e.category) {
            (Some(groups), _) => !groups.iter().any(|g| g == "main"),
            (None, Some(category)) => category == "dev",
            (None, None) => false,
        };
        let purl = pypi_purl(name, &e.version);
        let p = ctx.add(name, &e.version, purl, line);
        p.dev = dev;
        p.optional = e.optional;
    }
    Ok(())
}
