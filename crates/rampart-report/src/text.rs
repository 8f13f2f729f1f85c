//! Compiler-style diagnostics for people: the finding, the source line with a caret, the
//! object and container, why it matters and how to fix it; then a coverage summary.

use std::fmt::Write as _;

use rampart_checks::{Finding, Severity};
use rampart_model::Level;

use crate::Report;

/// Presentation options for the text report.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// ANSI colours (only on a terminal, never with NO_COLOR).
    pub color: bool,
    /// List suppressed findings too.
    pub show_suppressed: bool,
    /// Leave out the why/fix lines.
    pub compact: bool,
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sev(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
            Severity::Info => "1;34",
        };
        self.wrap(code, s.as_str())
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn blue(&self, s: &str) -> String {
        self.wrap("1;34", s)
    }
}

/// Length of the token to underline: a key up to its colon, or a scalar up to whitespace.
fn token_len(line: &str, col: u32) -> usize {
    let rest: String = line.chars().skip(col.saturating_sub(1) as usize).collect();
    let rest = rest.strip_prefix("- ").unwrap_or(&rest);
    let n = rest
        .char_indices()
        .find(|&(_, c)| c == ':' || c.is_whitespace() || c == ',' || c == '}' || c == ']')
        .map_or(rest.chars().count(), |(i, _)| rest[..i].chars().count());
    n.max(1)
}

fn first_sentence(s: &str) -> &str {
    s.find(". ").map_or(s, |i| &s[..=i])
}

fn finding(out: &mut String, r: &Report<'_>, f: &Finding, p: &Paint, opts: TextOptions) {
    let o = &r.objects[f.object];
    let meta = r.meta(f.check);
    let tag = if let Some(s) = &f.suppressed {
        format!(
            " {}",
            p.dim(&format!("(suppressed by {:?} at {}: {})", s.kind, s.source, s.reason).to_lowercase())
        )
    } else if f.in_baseline {
        format!(" {}", p.dim("(in baseline)"))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{}[{}]: {}{}",
        p.sev(f.severity),
        p.bold(f.check),
        p.bold(&f.message),
        tag
    );
    let gutter = f.pos.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.blue("-->"),
        o.source.name,
        f.pos.line,
        f.pos.col
    );
    if let Some(line) = o.source.line(f.pos.line) {
        let caret_pad = " ".repeat(f.pos.col.saturating_sub(1) as usize);
        let mut caret_start = caret_pad.clone();
        let mut len = token_len(line, f.pos.col);
        if line
            .chars()
            .skip(f.pos.col.saturating_sub(1) as usize)
            .collect::<String>()
            .starts_with("- ")
        {
            caret_start.push_str("  ");
            len = len.max(1);
        }
        let _ = writeln!(out, "{pad} {}", p.blue("|"));
        let _ = writeln!(
            out,
            "{} {} {}",
            p.blue(&f.pos.line.to_string()),
            p.blue("|"),
            line.replace('\t', " ")
        );
        let _ = writeln!(
            out,
            "{pad} {} {caret_start}{}",
            p.blue("|"),
            p.sev_caret(f.severity, &"^".repeat(len))
        );
    }
    let mut object = o.display();
    if let Some(c) = &f.container {
        let _ = write!(object, ", container \"{c}\"");
    }
    let _ = writeln!(out, "{pad} {} object: {object}", p.blue("="));
    if !opts.compact
        && let Some(m) = meta
    {
        let _ = writeln!(out, "{pad} {} why: {}", p.blue("="), first_sentence(m.why));
        let _ = writeln!(
            out,
            "{pad} {} fix: {}",
            p.blue("="),
            first_sentence(m.remediation)
        );
        let _ = writeln!(out, "{pad} {} see: rampart explain {}", p.blue("="), m.id);
    }
    out.push('\n');
}

impl Paint {
    fn sev_caret(&self, s: Severity, caret: &str) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
            Severity::Info => "1;34",
        };
        self.wrap(code, caret)
    }
}

pub fn render(r: &Report<'_>, opts: &TextOptions) -> String {
    let p = Paint(opts.color);
    let mut out = String::new();
    for d in r.diagnostics {
        let label = match d.level {
            Level::Error => p.wrap("1;31", "error"),
            Level::Warning => p.wrap("1;33", "warning"),
        };
        match d.pos.filter(|x| x.is_known()) {
            Some(pos) => {
                let _ = writeln!(out, "{label}: {}:{}:{}: {}", d.file, pos.line, pos.col, d.message);
            }
            None => {
                let _ = writeln!(out, "{label}: {}: {}", d.file, d.message);
            }
        }
    }
    if !r.diagnostics.is_empty() {
        out.push('\n');
    }
    let mut suppressed = 0;
    let mut baseline = 0;
    for f in r.findings {
        if f.suppressed.is_some() {
            suppressed += 1;
            if !opts.show_suppressed {
                continue;
            }
        } else if f.in_baseline {
            baseline += 1;
            let o = &r.objects[f.object];
            let _ = writeln!(
                out,
                "{}[{}]: {} {} {}:{}\n",
                p.sev(f.severity),
                f.check,
                f.message,
                p.dim("(in baseline)"),
                o.source.name,
                f.pos.line
            );
            continue;
        }
        finding(&mut out, r, f, &p, *opts);
    }
    // Summary
    let s = r.summary;
    let skipped: usize = s.files_skipped.values().sum();
    let mut line = format!("Scanned {} file(s)", s.files_read);
    if skipped > 0 {
        let why: Vec<String> = s.files_skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
        let _ = write!(line, ", skipped {skipped} ({})", why.join(", "));
    }
    let kinds: Vec<String> = s
        .objects_by_kind
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    let _ = write!(line, "; {} object(s)", r.objects.len());
    if !kinds.is_empty() {
        let _ = write!(line, " ({})", kinds.join(", "));
    }
    if s.documents_not_kubernetes > 0 {
        let _ = write!(
            line,
            "; {} non-Kubernetes document(s) ignored",
            s.documents_not_kubernetes
        );
    }
    let _ = writeln!(out, "{}", p.bold(&format!("{line}.")));
    for n in &s.not_evaluated {
        let _ = writeln!(
            out,
            "Not evaluated: {} at {}:{}: {}",
            n.object, n.file, n.pos.line, n.reason
        );
    }
    let counted: Vec<&Finding> = r.findings.iter().filter(|f| f.counts()).collect();
    let by_sev: Vec<String> = Severity::ALL
        .iter()
        .map(|sev| {
            let n = counted.iter().filter(|f| f.severity == *sev).count();
            if n > 0 {
                format!("{n} {}", p.sev(*sev))
            } else {
                format!("{n} {sev}")
            }
        })
        .collect();
    let mut tail = Vec::new();
    if suppressed > 0 {
        tail.push(format!(
            "{suppressed} suppressed{}",
            if opts.show_suppressed {
                ""
            } else {
                " (--show-suppressed lists them)"
            }
        ));
    }
    if baseline > 0 {
        tail.push(format!("{baseline} in baseline"));
    }
    let tail = if tail.is_empty() {
        String::new()
    } else {
        format!("; {}", tail.join(", "))
    };
    let _ = writeln!(out, "Findings: {}{tail}.", by_sev.join(", "));
    let errors = r.diagnostics.iter().filter(|d| d.level == Level::Error).count();
    let failing = r.failing().count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "{}",
            p.wrap(
                "1;31",
                &format!("{errors} input error(s): some files were not (fully) scanned.")
            )
        );
    }
    if failing > 0 {
        let _ = writeln!(
            out,
            "{}",
            p.wrap(
                "1;31",
                &format!("FAILED: {failing} finding(s) at or above {}.", r.fail_on)
            )
        );
    } else if errors == 0 {
        let _ = writeln!(
            out,
            "{}",
            p.wrap("1;32", &format!("PASSED: no finding at or above {}.", r.fail_on))
        );
    }
    out
}
