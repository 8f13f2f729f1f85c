//! GitHub Actions workflow commands: one annotation line per finding that counts, and one
//! per input error, so they show inline on the pull request.

use std::fmt::Write as _;

use rampart_checks::Severity;
use rampart_model::Level;

use crate::Report;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(r: &Report<'_>) -> String {
    let mut out = String::new();
    for f in r.findings.iter().filter(|f| f.counts()) {
        let o = &r.objects[f.object];
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            escape_prop(&o.source.name),
            f.pos.line,
            f.pos.col,
            escape_prop(&format!("{} ({})", f.check, f.severity)),
            escape_data(&format!("{}: {}", o.display(), f.message)),
        );
    }
    for d in r.diagnostics {
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let loc = d
            .pos
            .filter(|p| p.is_known())
            .map(|p| format!(",line={},col={}", p.line, p.col))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "::{level} file={}{loc},title=rampart::{}",
            escape_prop(&d.file),
            escape_data(&d.message)
        );
    }
    out
}
