//! Command implementations.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

use anyhow::{Context as _, Result, bail};
use rampart_checks::Severity;
use rampart_config::{BASELINE_VERSION, Baseline, BaselineEntry, Config, Date};
use rampart_model::{Level, PodSpec, is_workload};
use rampart_report::{NotEvaluated, Report, Summary, TextOptions};

use crate::catalog;
use crate::cli::{Cli, ColorChoice, Command, FailOn, ListFormat, ScanArgs};
use crate::scan;

/// The exit code decided before output was written, used when stdout's reader goes away.
static PENDING_EXIT: AtomicU8 = AtomicU8::new(0);

pub fn exit_code_for_broken_pipe() -> u8 {
    PENDING_EXIT.load(Ordering::Relaxed)
}

/// Records the exit code a command decided before writing its output.
pub fn set_pending_exit(code: u8) {
    PENDING_EXIT.store(code, Ordering::Relaxed);
}

pub fn main(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan_cmd(&args),
        Command::Pss(args) => crate::pss::run(&args),
        Command::Compliance(args) => crate::compliance::run(&args),
        Command::Node(args) => crate::node::run(&args),
        Command::Admit(args) => admit(&args),
        Command::Image(args) => crate::image::run(&args),
        Command::Db(args) => crate::db::run(&args),
        Command::Deps(args) => crate::vulns::deps(&args),
        Command::Checks { format } => {
            let checks = rampart_checks::all();
            let out = match format {
                ListFormat::Text => catalog::list_text(checks),
                ListFormat::Json => catalog::list_json(checks),
                ListFormat::Markdown => catalog::list_markdown(checks),
            };
            write_stdout(&out)?;
            Ok(0)
        }
        Command::Explain { id, format } => {
            let Some(check) = rampart_checks::find(&id) else {
                let _ = writeln!(
                    std::io::stderr(),
                    "error: no check `{id}`; `rampart checks` lists them"
                );
                return Ok(2);
            };
            let out = match format {
                ListFormat::Text => catalog::explain_text(&check.meta),
                ListFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&check.meta)?;
                    s.push('\n');
                    s
                }
                ListFormat::Markdown => catalog::explain_markdown_one(&check.meta),
            };
            write_stdout(&out)?;
            Ok(0)
        }
    }
}

/// A number of seconds given on the command line, as a duration.
fn seconds(value: f64, flag: &str, zero_allowed: bool) -> Result<std::time::Duration> {
    if !value.is_finite() || value < 0.0 || (value == 0.0 && !zero_allowed) {
        let what = if zero_allowed {
            "zero or a positive"
        } else {
            "a positive"
        };
        bail!("{flag} must be {what} number of seconds");
    }
    Ok(std::time::Duration::from_secs_f64(value))
}

fn admit(args: &crate::cli::AdmitArgs) -> Result<u8> {
    let opts = rampart_admit::Options {
        listen: args.listen.clone(),
        config: args.config.clone(),
        tls_cert: args.tls_cert.clone(),
        tls_key: args.tls_key.clone(),
        audit_log: args.audit_log.clone(),
        reload_interval: seconds(args.reload_interval, "--reload-interval", false)?,
        max_connections: args.max_connections.max(1),
        max_body: args.max_body_bytes,
        echo: args.bench_echo,
        shutdown_delay: seconds(args.shutdown_delay, "--shutdown-delay", true)?,
        request_timeout: seconds(args.request_timeout, "--request-timeout", false)?,
    };
    match rampart_admit::serve(&opts) {
        Ok(()) => Ok(0),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            Ok(2)
        }
    }
}

pub fn write_stdout(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes a report through a buffer to `file`, or to standard output when there is none.
pub fn write_streamed(
    file: Option<&Path>,
    render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    if let Some(p) = file {
        write_report_file(p, render).with_context(|| format!("cannot write {}", p.display()))
    } else {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        render(&mut w).and_then(|()| w.flush())?;
        Ok(())
    }
}

/// Writes a report file. An existing regular file is written over from its start and then
/// cut to the new length, not emptied first: rewriting the pages of last run's report in
/// place is several times cheaper than truncating it, which on ext4 frees every block,
/// allocates them again, and starts writing the whole file back to disk when it is closed
/// (measured in docs/benchmarks.md). Anything else (a new file, a pipe, a device) is
/// written as it is.
pub fn write_report_file(
    path: &Path,
    render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Seek as _;
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let regular = f.metadata()?.is_file();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
    let written = render(&mut w).and_then(|()| w.flush());
    // Taken apart, not dropped: a failed write's buffered rest is not written after the cut.
    let (mut f, _) = w.into_parts();
    if regular {
        // Also after a failed write: nothing of the previous report is left behind.
        let cut = f.stream_position().and_then(|end| f.set_len(end));
        written?;
        return cut;
    }
    written
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
}

fn parse_formats(args: &ScanArgs) -> Result<Vec<(Format, Option<PathBuf>)>> {
    let names = [
        ("text", Format::Text),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("github", Format::Github),
    ];
    output_specs(&args.format, args.output.as_ref(), &names)
}

/// Parses repeatable `--format FORMAT[=FILE]` options and `--output FILE` (which goes to
/// the one format without a file). At most one format may go to standard output.
pub fn output_specs<F: Copy>(
    specs: &[String],
    output: Option<&PathBuf>,
    names: &[(&str, F)],
) -> Result<Vec<(F, Option<PathBuf>)>> {
    let mut out = Vec::new();
    for spec in specs {
        let (name, file) = match spec.split_once('=') {
            Some((n, f)) if !f.is_empty() => (n, Some(PathBuf::from(f))),
            _ => (spec.as_str(), None),
        };
        let Some(&(_, f)) = names.iter().find(|(n, _)| *n == name) else {
            let known: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
            bail!("unknown output format `{name}`; expected {}", known.join(", "));
        };
        out.push((f, file));
    }
    if let Some(o) = output {
        let unassigned: Vec<usize> = out
            .iter()
            .enumerate()
            .filter(|(_, (_, f))| f.is_none())
            .map(|(i, _)| i)
            .collect();
        match unassigned.as_slice() {
            [i] => out[*i].1 = Some(o.clone()),
            [] => bail!("--output given but every --format already has its own file"),
            _ => bail!("--output is ambiguous with several formats; write FORMAT=FILE instead"),
        }
    }
    let to_stdout = out.iter().filter(|(_, f)| f.is_none()).count();
    if to_stdout > 1 {
        bail!("only one format can go to standard output; give the others a file with FORMAT=FILE");
    }
    Ok(out)
}

/// Finds `.rampart.yaml` from `start` upward.
fn find_config(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(rampart_config::CONFIG_FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

pub(crate) fn load_config(
    config: Option<&PathBuf>,
    no_config: bool,
    cwd: &Path,
) -> Result<std::result::Result<Config, Vec<String>>> {
    if no_config {
        return Ok(Ok(Config::default()));
    }
    let path = match config {
        Some(p) => p.clone(),
        None => match find_config(cwd) {
            Some(p) => p,
            None => return Ok(Ok(Config::default())),
        },
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("cannot read config {}", path.display()))?;
    let name = path
        .strip_prefix(cwd)
        .unwrap_or(&path)
        .to_string_lossy()
        .into_owned();
    Ok(Config::parse(&name, &text).map_err(|errs| errs.iter().map(ToString::to_string).collect()))
}

fn git_root(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

fn percent_encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn sarif_uris(names: impl Iterator<Item = String>, root: &Path, cwd: &Path) -> HashMap<String, String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    names
        .map(|name| {
            let p = Path::new(&name);
            let abs = if p.is_absolute() {
                p.to_path_buf()
            } else {
                cwd.join(p)
            };
            let abs = abs.canonicalize().unwrap_or(abs);
            let rel = abs
                .strip_prefix(&root)
                .map_or_else(|_| name.clone(), |r| r.to_string_lossy().replace('\\', "/"));
            let uri = percent_encode_path(&rel);
            (name, uri)
        })
        .collect()
}

fn scan_cmd(args: &ScanArgs) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot determine the current directory")?;
    let formats = parse_formats(args)?;
    let config = match load_config(args.config.as_ref(), args.no_config, &cwd)? {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(std::io::stderr(), "error: {e}");
            }
            return Ok(2);
        }
    };
    for id in args.enable.iter().chain(&args.disable) {
        if id != "all" && rampart_checks::find(id).is_none() {
            bail!("unknown check `{id}` in --enable/--disable; `rampart checks` lists them");
        }
    }
    let fail_on = match args.fail_on {
        Some(FailOn::Never) => None,
        Some(f) => Severity::parse(&format!("{f:?}").to_ascii_lowercase()),
        None => Some(config.fail_on.unwrap_or(Severity::Low)),
    };

    // Read
    let mut excludes = args.exclude.clone();
    excludes.extend(config.ignore_paths.iter().cloned());
    // Only the text report shows source lines; other reports need no text kept.
    let keep_text = formats.iter().any(|(f, _)| *f == Format::Text);
    let loaded = scan::read_paths(&args.paths, &excludes, args.max_file_size, keep_text);

    // Check
    let mut enabled = config.enabled_checks(&args.enable, &args.disable);
    if let Some(v) = args.kubernetes_version {
        for e in &mut enabled {
            e.params.set_kubernetes_version(&e.check.meta, v);
        }
    }
    let mut findings = rampart_checks::run(&enabled, &loaded.objects);

    // Policy
    let baseline = match &args.baseline {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read baseline {}", p.display()))?;
            let b = Baseline::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            Some(b.fingerprints())
        }
        None => None,
    };
    let notes = rampart_config::policy::apply(
        &loaded.objects,
        &mut findings,
        &config,
        baseline.as_ref(),
        Date::today(),
    );
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(notes);
    diagnostics.sort_by(|a, b| {
        (a.level == Level::Warning, &a.file, a.pos).cmp(&(b.level == Level::Warning, &b.file, b.pos))
    });

    // Coverage
    let mut objects_by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut not_evaluated = Vec::new();
    for o in &loaded.objects {
        *objects_by_kind.entry(o.kind.clone()).or_default() += 1;
        if is_workload(o) && PodSpec::of(o).is_none() {
            let reason = if o.root.at("spec.workloadRef").is_some() {
                "its pod template lives in another object (spec.workloadRef); scan that object".to_string()
            } else {
                "no pod template spec where this kind keeps it".to_string()
            };
            not_evaluated.push(NotEvaluated {
                file: o.source.name.clone(),
                pos: o.pos(),
                object: o.display(),
                reason,
            });
        }
    }
    let summary = Summary {
        files_read: loaded.files_read,
        files_skipped: loaded.files_skipped,
        documents_not_kubernetes: loaded.documents_not_kubernetes,
        objects_by_kind,
        not_evaluated,
    };

    if let Some(p) = &args.write_baseline {
        let b = Baseline {
            version: BASELINE_VERSION,
            findings: findings
                .iter()
                .filter(|f| f.suppressed.is_none())
                .map(|f| BaselineEntry {
                    fingerprint: f.fingerprint.clone(),
                    check: f.check.to_string(),
                    object: loaded.objects[f.object].display(),
                    container: f.container.clone(),
                    path: f.path.clone(),
                })
                .collect::<Vec<_>>(),
        };
        let mut seen = HashSet::new();
        let b = Baseline {
            findings: b
                .findings
                .into_iter()
                .filter(|e| seen.insert(e.fingerprint.clone()))
                .collect(),
            ..b
        };
        std::fs::write(p, b.to_json()).with_context(|| format!("cannot write baseline {}", p.display()))?;
    }

    let sarif_root = args
        .sarif_root
        .clone()
        .or_else(|| git_root(&cwd))
        .unwrap_or_else(|| cwd.clone());
    let uris = if formats.iter().any(|(f, _)| *f == Format::Sarif) {
        sarif_uris(
            loaded
                .objects
                .iter()
                .map(|o| o.source.name.clone())
                .chain(diagnostics.iter().map(|d| d.file.clone())),
            &sarif_root,
            &cwd,
        )
    } else {
        HashMap::new()
    };
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        objects: &loaded.objects,
        findings: &findings,
        checks: &enabled,
        diagnostics: &diagnostics,
        summary: &summary,
        fail_on: fail_on.unwrap_or(Severity::Critical),
        sarif_uris: &uris,
    };
    let failing = fail_on.map_or(0, |_| report.failing().count());
    let code = if report.has_errors() {
        2
    } else {
        u8::from(failing > 0)
    };
    PENDING_EXIT.store(code, Ordering::Relaxed);

    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    for (format, file) in &formats {
        let color = file.is_none()
            && match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
            };
        let text = match format {
            Format::Text => rampart_report::text(
                &report,
                &TextOptions {
                    color,
                    show_suppressed: args.show_suppressed,
                    compact: args.compact,
                },
            ),
            Format::Json => {
                // Streamed: a large scan's JSON report is never held in memory whole.
                write_streamed(file.as_deref(), |w| rampart_report::write_json(&report, w))?;
                continue;
            }
            Format::Sarif => rampart_report::sarif(&report),
            Format::Junit => rampart_report::junit(&report),
            Format::Github => rampart_report::github(&report),
        };
        match file {
            Some(p) => write_report_file(p, |w| w.write_all(text.as_bytes()))
                .with_context(|| format!("cannot write {}", p.display()))?,
            None => write_stdout(&text)?,
        }
    }
    if formats.iter().all(|(_, f)| f.is_some()) {
        // Everything went to files: still tell the person at the terminal what happened.
        let errors = diagnostics.iter().filter(|d| d.level == Level::Error).count();
        for d in diagnostics.iter().filter(|d| d.level == Level::Error) {
            let _ = writeln!(std::io::stderr(), "{d}");
        }
        let _ = writeln!(
            std::io::stderr(),
            "rampart: {} finding(s), {failing} failing, {errors} input error(s)",
            findings.len()
        );
    }
    // The process exits next: freeing a large scan's trees node by node would only cost
    // time (a seventh of the samples in a profile of a 3,000-object scan).
    std::mem::forget(findings);
    std::mem::forget(loaded.objects);
    Ok(code)
}
