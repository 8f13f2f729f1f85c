//! The terminal table: one line per package (name, version, type, location), sorted by
//! type then name, then a summary. Text from the image is shown with control characters
//! escaped, so a hostile package name cannot drive the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Subject, sorted_packages};
use crate::inventory::Inventory;

/// Longest column before a value is cut with `…` (the JSON formats keep everything).
const MAX_COLUMN: usize = 60;

/// Writes the inventory as a table with a header and a summary line.
pub fn write_text(inv: &Inventory, subject: &Subject, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::new();
    let _ = write!(s, "image: {}", clean(&subject.reference));
    if let Some(d) = subject.digest() {
        let _ = write!(s, " ({})", clean(d));
    }
    let _ = write!(s, " [{}", subject.source.as_str());
    if let Some(p) = &subject.platform {
        let _ = write!(s, ", {}", clean(&p.to_string()));
    }
    s.push_str("]\n");
    if let Some(d) = &inv.distro {
        let name = d
            .pretty_name
            .clone()
            .unwrap_or_else(|| format!("{} {}", d.id, d.version_id));
        let _ = writeln!(s, "distro: {}", clean(&name));
    }
    s.push('\n');

    let packages = sorted_packages(inv);
    let rows: Vec<[String; 4]> = packages
        .iter()
        .map(|p| {
            let location = match p.locations.as_slice() {
                [] => String::new(),
                [one] => clean(&one.path),
                [first, rest @ ..] => format!("{} (+{} more)", clean(&first.path), rest.len()),
            };
            [
                cut(&clean(&p.name)),
                cut(&clean(&p.version)),
                p.kind.as_str().to_string(),
                location,
            ]
        })
        .collect();
    if rows.is_empty() {
        s.push_str("no packages found\n");
    } else {
        let header = ["NAME", "VERSION", "TYPE", "LOCATION"].map(str::to_string);
        let mut widths = [0usize; 3];
        for row in std::iter::once(&header).chain(&rows) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for row in std::iter::once(&header).chain(&rows) {
            for (w, cell) in widths.iter().zip(row) {
                s.push_str(cell);
                s.extend(std::iter::repeat_n(' ', w - cell.chars().count() + 2));
            }
            s.push_str(&row[3]);
            s.push('\n');
        }
    }
    s.push('\n');

    let mut by_type = BTreeMap::<_, usize>::new();
    for p in &packages {
        *by_type.entry(p.kind).or_default() += 1;
    }
    let n = packages.len();
    let _ = write!(s, "{n} package{}", if n == 1 { "" } else { "s" });
    if !by_type.is_empty() {
        let parts: Vec<String> = by_type
            .iter()
            .map(|(k, c)| format!("{c} {}", k.as_str()))
            .collect();
        let _ = write!(s, " ({})", parts.join(", "));
    }
    match &inv.distro {
        Some(d) => {
            let _ = write!(s, "; distro {} {}", clean(&d.id), clean(&d.version_id));
        }
        None => s.push_str("; distro not detected"),
    }
    let w = inv.warnings.len();
    if w > 0 {
        let _ = write!(s, "; {w} warning{}", if w == 1 { "" } else { "s" });
    }
    s.push('\n');
    for w in &inv.warnings {
        s.push_str("warning: ");
        if let Some(layer) = &w.layer {
            let _ = write!(s, "layer {}: ", clean(short_digest(layer)));
        }
        if let Some(path) = &w.path {
            let _ = write!(s, "{}: ", clean(path));
        }
        let _ = writeln!(s, "{}", clean(&w.message));
    }
    out.write_all(s.as_bytes())
}

/// Escapes control characters (and the Unicode ones that reorder text).
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_COLUMN {
        return s.to_string();
    }
    let mut t: String = s.chars().take(MAX_COLUMN - 1).collect();
    t.push('…');
    t
}

/// `sha256:0123456789ab` (12 hex digits), as container tools show image ids.
fn short_digest(d: &str) -> &str {
    match d.split_once(':') {
        Some((alg, h)) if h.len() > 12 => &d[..alg.len() + 1 + 12],
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_and_cuts() {
        assert_eq!(clean("a\x1b[31mb\u{202e}"), "a\\u{1b}[31mb\\u{202e}");
        assert_eq!(cut(&"x".repeat(70)).chars().count(), MAX_COLUMN);
        assert_eq!(short_digest("sha256:0123456789abcdef"), "sha256:0123456789ab");
    }
}
