//! pip requirements files (`requirements.txt` and friends).
//!
//! Only exact pins (`name==1.2.3`, `name===1.2.3`, with extras, environment markers and
//! `--hash` options) name a version advisories can be matched against; every other named
//! requirement (`name>=1.0`, `name`, `name==1.*`, `name @ https://...`, editable and
//! VCS installs) is reported as [`Skipped`](super::Skipped) with the reason. Markers are
//! not evaluated: a pin for another platform is reported too. `-r FILE` and
//! `--requirement FILE` includes are returned for the scan to follow (relative to this
//! file); `-c` constraint files pin versions without installing anything and are not
//! followed. Other options (`-i`, `--extra-index-url`, `--pre` ...) are ignored. The
//! name is kept as written; the purl carries the PEP 503 normalised name.

use super::{Ctx, pypi_purl};

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) {
    let mut logical = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if logical.is_empty() {
            start = line;
        }
        let l = strip_comment(raw);
        if let Some(cont) = l.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(l);
        let whole = std::mem::take(&mut logical);
        requirement(ctx, whole.trim(), start);
    }
    if !logical.is_empty() {
        requirement(ctx, logical.trim(), start);
    }
}

/// Drops a comment: `#` at the start of a line or after whitespace.
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

fn requirement(ctx: &mut Ctx<'_>, text: &str, line: u32) {
    let line_no = Some(line);
    if text.is_empty() {
        return;
    }
    if text.starts_with('-') {
        option(ctx, text, line);
        return;
    }
    // Per-requirement options (`--hash=...`) follow the requirement.
    let text = match text.find(" --") {
        Some(i) => text[..i].trim_end(),
        None => text,
    };
    let (spec, _markers) = text.split_once(';').unwrap_or((text, ""));
    let spec = spec.trim();
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    let mut rest = spec[name_end..].trim_start();
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || rest.starts_with("://")
        || rest.starts_with('/')
    {
        ctx.skip(spec, line_no, "not a named requirement (a path or URL)");
        return;
    }
    if let Some(r) = rest.strip_prefix('[') {
        let Some(end) = r.find(']') else {
            ctx.entry_error(line_no, format!("unclosed `[` of extras in {spec:?}"));
            return;
        };
        rest = r[end + 1..].trim_start();
    }
    if rest.starts_with('@') {
        ctx.skip(name, line_no, "installed from a URL, not a pinned version");
        return;
    }
    let rest = rest.trim();
    let rest = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest);
    if rest.is_empty() {
        ctx.skip(name, line_no, "no version given");
        return;
    }
    let mut pinned = None;
    for clause in rest.split(',') {
        let clause = clause.trim();
        let op_end = clause
            .find(|c: char| !matches!(c, '=' | '<' | '>' | '!' | '~'))
            .unwrap_or(clause.len());
        let (op, version) = (&clause[..op_end], clause[op_end..].trim());
        if !matches!(op, "==" | "===" | ">=" | "<=" | ">" | "<" | "!=" | "~=") || version.is_empty() {
            ctx.entry_error(
                line_no,
                format!("cannot read the version specifier {clause:?} of {name}"),
            );
            return;
        }
        if matches!(op, "==" | "===") && !version.contains('*') && !version.contains('$') {
            pinned = Some(version);
        }
    }
    match pinned {
        Some(version) => {
            let purl = pypi_purl(name, version);
            ctx.add(name, version, purl, line_no);
        }
        None => ctx.skip(name, line_no, format!("not pinned with == ({rest})")),
    }
}

fn option(ctx: &mut Ctx<'_>, text: &str, line: u32) {
    let (flag, value) = match text.split_once(|c: char| c == '=' || c.is_whitespace()) {
        Some((f, v)) => (f, v.trim()),
        None => (text, ""),
    };
    let (flag, value) = match flag {
        // `-rfile.txt`
        f if f.len() > 2 && (f.starts_with("-r") || f.starts_with("-e")) && !f.starts_with("--") => {
            (&f[..2], f[2..].trim())
        }
        f => (f, value),
    };
    match flag {
        "-r" | "--requirement" => {
            if value.is_empty() {
                ctx.entry_error(Some(line), format!("{flag} without a file"));
            } else {
                ctx.out.includes.push((line, value.to_string()));
            }
        }
        "-e" | "--editable" => {
            let name = value
                .split("#egg=")
                .nth(1)
                .map_or(value, |n| n.split('&').next().unwrap_or(n));
            ctx.skip(name, Some(line), "an editable install of local or VCS code");
        }
        _ => {}
    }
}
