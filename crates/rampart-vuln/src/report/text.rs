//! The report for people: findings grouped by severity (most severe first, fixable before
//! unfixed within each), then a severity × fixable/unfixed table; or, as `table`, one
//! line per finding followed by the same summary.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Entry, LEVELS, Report, Subject, location_text};
use crate::severity::Level;

/// Presentation options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// ANSI colours (the caller decides: only on a terminal, never with NO_COLOR).
    pub color: bool,
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn level(&self, l: Level, s: &str) -> String {
        let code = match l {
            Level::Critical => "1;35",
            Level::High => "1;31",
            Level::Medium => "1;33",
            Level::Low => "1;36",
            Level::Negligible | Level::Unknown => "1;34",
        };
        self.wrap(code, s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
}

/// Text read from images and advisories, made safe for a terminal: control and
/// bidirectional-override characters are shown escaped.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn subject_line(r: &Report) -> String {
    match &r.subject {
        Subject::Image {
            reference,
            digest,
            distro,
            ..
        } => {
            let mut s = format!("image: {}", clean(reference));
            if let Some(d) = digest {
                let _ = write!(s, " ({})", short_digest(d));
            }
            if let Some(d) = distro {
                let _ = write!(s, "\ndistro: {}", clean(d));
            }
            s
        }
        Subject::Lockfiles { path, files } => {
            format!("lockfiles: {} ({} read)", clean(path), files.len())
        }
    }
}

fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, hex)) if hex.len() > 12 => format!("{alg}:{}…", &hex[..12]),
        _ => d.to_owned(),
    }
}

fn ids(e: &Entry) -> String {
    let f = &e.finding;
    if f.aliases.is_empty() {
        f.id.clone()
    } else {
        format!("{} ({})", f.id, f.aliases.join(", "))
    }
}

fn entry(out: &mut String, e: &Entry, p: &Paint) {
    let f = &e.finding;
    let fix = match &f.fixed_version {
        Some(v) => p.green(&clean(v)),
        None => p.dim("no fix yet"),
    };
    let _ = writeln!(
        out,
        "  {} {} → {}  {}",
        p.bold(&clean(&f.package)),
        clean(&f.installed_version),
        fix,
        clean(&ids(e))
    );
    if !f.summary.is_empty() {
        let _ = writeln!(out, "    {}", clean(&f.summary));
    }
    let mut at = location_text(e).map(|l| clean(&l)).unwrap_or_default();
    if let Some(m) = &f.matched_as {
        let _ = write!(at, " (matched as {})", clean(m));
    }
    if let Some(score) = f.score {
        let _ = write!(at, " [CVSS {score:.1}]");
    }
    if !at.is_empty() {
        let _ = writeln!(out, "    {}", p.dim(at.trim_start()));
    }
    if let Some(s) = &e.suppressed {
        let mut why = format!(
            "suppressed by {} at {}: {}",
            s.by,
            clean(&s.origin),
            clean(&s.reason)
        );
        if let Some(st) = &s.status {
            let _ = write!(why, " [{}]", clean(st));
        }
        if let Some(x) = &s.expires {
            let _ = write!(why, " (expires {x})");
        }
        let _ = writeln!(out, "    {}", p.dim(&why));
    }
}

fn shown(r: &Report) -> impl Iterator<Item = &Entry> {
    r.entries
        .iter()
        .filter(|e| e.suppressed.is_none() || r.policy.show_suppressed)
}

/// Writes the grouped text report.
pub fn write_text(r: &Report, opts: &TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let p = Paint(opts.color);
    let mut s = String::new();
    let _ = writeln!(s, "{}", subject_line(r));
    let _ = writeln!(s);
    for level in LEVELS {
        let group: Vec<&Entry> = shown(r).filter(|e| e.finding.severity == level).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "{} ({})",
            p.level(level, &level.as_str().to_ascii_uppercase()),
            group.len()
        );
        for e in group {
            entry(&mut s, e, &p);
        }
        let _ = writeln!(s);
    }
    summary(&mut s, r, &p);
    out.write_all(s.as_bytes())
}

/// Writes one line per finding, then the summary.
pub fn write_table(r: &Report, opts: &TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let p = Paint(opts.color);
    let mut s = String::new();
    let _ = writeln!(s, "{}", subject_line(r));
    let _ = writeln!(s);
    let rows: Vec<[String; 6]> = shown(r)
        .map(|e| {
            let f = &e.finding;
            [
                f.severity.as_str().to_owned(),
                clean(&f.package),
                clean(&f.installed_version),
                f.fixed_version.as_deref().map_or_else(|| "-".to_owned(), clean),
                clean(&f.id),
                location_text(e).map(|l| clean(&l)).unwrap_or_default()
                    + if e.suppressed.is_some() {
                        " (suppressed)"
                    } else {
                        ""
                    },
            ]
        })
        .collect();
    if !rows.is_empty() {
        let head = [
            "SEVERITY",
            "PACKAGE",
            "INSTALLED",
            "FIXED",
            "ADVISORY",
            "LOCATION",
        ];
        let mut width = head.map(|h| h.chars().count());
        for row in &rows {
            for (w, c) in width.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String; 6]| {
            let mut l = String::new();
            for (i, (c, w)) in cells.iter().zip(width).enumerate() {
                if i == 5 {
                    l.push_str(c);
                } else {
                    let pad = w - c.chars().count();
                    let _ = write!(l, "{c}{}  ", " ".repeat(pad));
                }
            }
            l.trim_end().to_owned()
        };
        let _ = writeln!(s, "{}", p.bold(&line(&head.map(str::to_owned))));
        for row in &rows {
            let _ = writeln!(s, "{}", line(row));
        }
        let _ = writeln!(s);
    }
    summary(&mut s, r, &p);
    out.write_all(s.as_bytes())
}

fn summary(s: &mut String, r: &Report, p: &Paint) {
    let rows = r.by_severity();
    let (fixable, unfixed) = rows.iter().fold((0, 0), |(a, b), (_, f, u)| (a + f, b + u));
    if fixable + unfixed > 0 {
        let _ = writeln!(s, "{}", p.bold("SEVERITY    FIXABLE  NO FIX  TOTAL"));
        for (level, f, u) in rows.iter().filter(|(_, f, u)| f + u > 0) {
            let name = format!("{:<10}", level.as_str());
            let _ = writeln!(s, "{}  {f:>7}  {u:>6}  {:>5}", p.level(*level, &name), f + u);
        }
        let _ = writeln!(
            s,
            "{:<10}  {fixable:>7}  {unfixed:>6}  {:>5}",
            "total",
            fixable + unfixed
        );
        let _ = writeln!(s);
    }
    let failing = r.failing().count();
    let _ = write!(
        s,
        "{} vulnerabilities in {} of {} packages",
        fixable + unfixed,
        r.vulnerable_packages(),
        r.packages.len()
    );
    let _ = write!(
        s,
        "; {failing} at or above --fail-on {}",
        r.policy.fail_on.as_str()
    );
    if r.policy.fixable_only {
        s.push_str(" with a fix");
    }
    let mut notes = Vec::new();
    let suppressed = r.suppressed();
    if suppressed > 0 {
        notes.push(if r.policy.show_suppressed {
            format!("{suppressed} suppressed")
        } else {
            format!("{suppressed} suppressed (--show-suppressed)")
        });
    }
    if r.hidden > 0 {
        notes.push(format!("{} negligible hidden (--show-hidden)", r.hidden));
    }
    if r.unfixed_ignored > 0 {
        notes.push(format!(
            "{} without a fix left out (--ignore-unfixed)",
            r.unfixed_ignored
        ));
    }
    if !notes.is_empty() {
        let _ = write!(s, "; {}", notes.join(", "));
    }
    let _ = writeln!(s);
    for problem in &r.problems {
        let _ = writeln!(s, "error: {}", clean(problem));
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::super::tests::sample;
    use super::*;

    fn render(policy: Policy) -> String {
        let mut out = Vec::new();
        write_text(&sample(policy), &TextOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn groups_by_severity_fixable_first() {
        let t = render(Policy::default());
        let crit = t.find("CRITICAL (1)").unwrap();
        let high = t.find("HIGH (2)").unwrap();
        let b = t.find("  b 1.0 → 1.1  PYSEC-2").unwrap();
        let a = t.find("  a 1.0 → no fix yet  PYSEC-1").unwrap();
        assert!(crit < high && high < b && b < a, "{t}");
        assert!(!t.contains("PYSEC-3"), "suppressed findings are not listed: {t}");
        assert!(t.contains("requirements.txt:2"), "{t}");
        assert!(t.contains("high              1       1      2"), "{t}");
        assert!(
            t.contains("3 vulnerabilities in 3 of 4 packages; 3 at or above --fail-on low; 1 suppressed (--show-suppressed), 1 negligible hidden (--show-hidden)"),
            "{t}"
        );
        let shown = render(Policy {
            show_suppressed: true,
            ..Policy::default()
        });
        assert!(
            shown.contains("suppressed by exception at .rampart.yaml:4: not reachable from the service (expires 2027-01-31)"),
            "{shown}"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\x1b[31mb\u{202e}"), "a\\u{1b}[31mb\\u{202e}");
    }
}
