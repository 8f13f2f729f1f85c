//! `rampart image scan` and `rampart deps`: the packages of an image, or the packages a
//! source tree's lockfiles pin, matched against the local advisory database and reported
//! as text, a table, JSON, SARIF or CycloneDX with vulnerabilities.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::{Args, ValueEnum};
use rampart_image::inventory::Inventory;
use rampart_image::sbom;
use rampart_image::{Distro, Package};
use rampart_vuln::report::{self, DatabaseInfo, Entry, FailOn, Policy, Report, Subject};
use rampart_vuln::severity::Level;
use rampart_vuln::store::{self, Database};

use crate::cli::ColorChoice;

pub const SCAN_HELP: &str = "\
Output formats (--format, repeatable; FORMAT or FORMAT=FILE):
  text       findings grouped by severity, fixable first, and a summary table (default)
  table      one line per finding, and the summary table
  json       the versioned JSON report (docs/vulnerability-json.md)
  sarif      SARIF 2.1.0, one rule per advisory
  cyclonedx  a CycloneDX 1.6 SBOM with a vulnerabilities array

Which findings count toward the exit code: unsuppressed findings at or above --fail-on
(default low, which also counts advisories that rate no severity; `any` also counts
negligible ones). --fixable-only: only findings with a fixed version count, the others
are still reported. --ignore-unfixed: findings without a fixed version are left out of
the report altogether. Findings the distribution rates negligible are left out unless
--show-hidden.

Suppressions: `vulnerability-exceptions` in .rampart.yaml (searched from the current
directory upward, or --config FILE) and OpenVEX documents (--vex FILE, repeatable).
Suppressed findings never count; JSON, SARIF and CycloneDX keep them with their
justification, the text output lists them with --show-suppressed.

Exit codes:
  0  no finding counts
  1  at least one finding counts
  2  usage or input error (no database, an unreadable image or lockfile)

The database: --db DIR, else $RAMPART_DB, else ~/.cache/rampart/db (see `rampart db`).";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VulnFailOn {
    Critical,
    High,
    Medium,
    /// Low and above, and advisories that rate no severity.
    Low,
    /// Every finding, including unknown and negligible severities.
    Any,
    /// Never fail because of findings (input errors still exit 2).
    Never,
}

/// The options every vulnerability command shares.
#[derive(Debug, Args)]
pub struct VulnArgs {
    /// Output format, optionally with a file: FORMAT or FORMAT=FILE; repeatable.
    #[arg(long, short = 'f', value_name = "FORMAT[=FILE]", default_value = "text")]
    pub format: Vec<String>,

    /// Write the output to FILE instead of stdout (for a single --format without =FILE).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Lowest severity that fails the run.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = VulnFailOn::Low)]
    pub fail_on: VulnFailOn,

    /// Only findings with a fixed version count toward the exit code (the others are
    /// still reported).
    #[arg(long)]
    pub fixable_only: bool,

    /// Leave findings without a fixed version out of the report entirely.
    #[arg(long)]
    pub ignore_unfixed: bool,

    /// Also report findings the distribution rates negligible (Debian `unimportant`,
    /// Ubuntu `negligible`).
    #[arg(long)]
    pub show_hidden: bool,

    /// List suppressed findings in the text output too.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Database directory [default: $RAMPART_DB, else $XDG_CACHE_HOME/rampart/db or
    /// ~/.cache/rampart/db].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,

    /// Warn when a database source is at least this old: a number with s, m, h or d.
    #[arg(long, value_name = "AGE", default_value = "7d", value_parser = crate::db::parse_age)]
    pub max_db_age: u64,

    /// Colours in the text output (auto: only on a terminal and without NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Configuration file with `vulnerability-exceptions` (default: .rampart.yaml from
    /// the current directory upward).
    #[arg(long, short = 'c', value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any .rampart.yaml.
    #[arg(long)]
    pub no_config: bool,

    /// An OpenVEX document whose `not_affected` and `fixed` statements suppress findings;
    /// repeatable.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DepsArgs {
    /// A directory to search for lockfiles (recursively), or one lockfile [default: .].
    pub path: Option<PathBuf>,

    /// Skip paths matching this glob (relative to PATH); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    #[command(flatten)]
    pub vuln: VulnArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Table,
    Json,
    Sarif,
    CycloneDx,
}

fn formats(args: &VulnArgs) -> Result<Vec<(Format, Option<PathBuf>)>> {
    let names = [
        ("text", Format::Text),
        ("table", Format::Table),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("cyclonedx", Format::CycloneDx),
        ("cyclonedx-json", Format::CycloneDx),
    ];
    crate::run::output_specs(&args.format, args.output.as_ref(), &names)
}

fn policy(args: &VulnArgs) -> Policy {
    let fail_on = match args.fail_on {
        VulnFailOn::Critical => FailOn::Level(Level::Critical),
        VulnFailOn::High => FailOn::Level(Level::High),
        VulnFailOn::Medium => FailOn::Level(Level::Medium),
        VulnFailOn::Low => FailOn::Level(Level::Low),
        VulnFailOn::Any => FailOn::Any,
        VulnFailOn::Never => FailOn::Never,
    };
    Policy {
        fail_on,
        fixable_only: args.fixable_only,
        ignore_unfixed: args.ignore_unfixed,
        show_hidden: args.show_hidden,
        show_suppressed: args.show_suppressed,
    }
}

/// Opens the database for a scan: a missing or empty one is an error that says how to
/// make one; a source older than `max_age` is a warning.
fn open_database(args: &VulnArgs) -> Result<(Database, DatabaseInfo)> {
    let dir = crate::db::db_dir(args.db.as_deref())?;
    let db = match Database::open(&dir) {
        Ok(db) => db,
        Err(store::Error::Missing(_)) => bail!(
            "no vulnerability database in {}: run `rampart db update` to download the OSV advisories, \
             or `rampart db import PATH` to import them from files (or point --db / RAMPART_DB at one)",
            dir.display()
        ),
        Err(e) => {
            return Err(anyhow::Error::from(e)
                .context("the vulnerability database cannot be read; `rampart db update` or `rampart db import` rebuilds it"));
        }
    };
    let meta = db.metadata();
    if db.advisory_count() == 0 {
        bail!(
            "the vulnerability database {} holds no advisories: run `rampart db update` or `rampart db import PATH` first",
            db.path().display()
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for s in &meta.sources {
        let age = now.saturating_sub(s.updated);
        if age >= args.max_db_age {
            let _ = writeln!(
                std::io::stderr(),
                "warning: vulnerability database source {} was updated {} ago (--max-db-age {}); run `rampart db update` (or import it again)",
                s.name,
                crate::db::format_age(age),
                crate::db::format_age(args.max_db_age)
            );
        }
    }
    let info = DatabaseInfo {
        built: meta.built,
        advisories: meta.advisories,
        oldest_source: meta.sources.iter().map(|s| s.updated).min(),
    };
    Ok((db, info))
}

fn distro_name(d: &Distro) -> String {
    d.pretty_name
        .clone()
        .unwrap_or_else(|| format!("{} {}", d.id, d.version_id))
}

/// The suppressions that apply to a scan: the configuration's vulnerability exceptions
/// and the VEX documents, read before anything is scanned so that a bad file stops the
/// run early.
struct Suppressions {
    exceptions: Vec<rampart_config::VulnException>,
    vex: Vec<rampart_vuln::vex::Document>,
}

/// `Ok(Err(code))`: the configuration is invalid; its errors were printed.
fn suppressions(args: &VulnArgs) -> Result<std::result::Result<Suppressions, u8>> {
    let cwd = std::env::current_dir().context("cannot determine the current directory")?;
    let config = match crate::run::load_config(args.config.as_ref(), args.no_config, &cwd)? {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(std::io::stderr(), "error: {e}");
            }
            return Ok(Err(2));
        }
    };
    let mut vex = Vec::new();
    for p in &args.vex {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read VEX document {}", p.display()))?;
        let name = p.to_string_lossy().replace('\\', "/");
        vex.push(rampart_vuln::vex::parse(&bytes, &name)?);
    }
    Ok(Ok(Suppressions {
        exceptions: config.vulnerability_exceptions,
        vex,
    }))
}

fn entries(
    db: &Database,
    packages: &[Package],
    distro: Option<&Distro>,
    lines: &[Option<u32>],
    rules: &Suppressions,
    image: Option<&rampart_vuln::policy::ImageRef>,
) -> Result<Vec<Entry>> {
    let findings = rampart_vuln::match_packages(db, packages, distro)
        .with_context(|| format!("cannot read the vulnerability database {}", db.path().display()))?;
    let outcome = rampart_vuln::policy::apply(
        &findings,
        packages,
        image,
        &rules.exceptions,
        &rules.vex,
        rampart_config::Date::today(),
    );
    let mut err = std::io::stderr().lock();
    for w in &outcome.expired {
        let _ = writeln!(err, "warning: {w}");
    }
    for u in &outcome.unused {
        let _ = writeln!(
            err,
            "warning: {u}: this exception or VEX statement matched no finding"
        );
    }
    drop(err);
    let mut suppressed = outcome.suppressed.into_iter();
    Ok(findings
        .into_iter()
        .map(|f| Entry {
            line: lines.get(f.package_index).copied().flatten(),
            suppressed: suppressed.next().flatten().map(|s| report::Suppression {
                by: s.by.as_str().to_owned(),
                reason: s.reason,
                status: s.status,
                origin: s.origin,
                expires: s.expires,
                ticket: s.ticket,
            }),
            finding: f,
        })
        .collect())
}

/// What the SBOM output needs besides the report.
struct SbomParts {
    inventory: Inventory,
    subject: sbom::Subject,
}

fn write_outputs(
    args: &VulnArgs,
    outputs: &[(Format, Option<PathBuf>)],
    r: &Report,
    parts: &SbomParts,
) -> Result<()> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let sbom_options = if outputs.iter().any(|(f, _)| *f == Format::CycloneDx) {
        Some(sbom::Options::from_env()?)
    } else {
        None
    };
    for (format, file) in outputs {
        let color = file.is_none()
            && match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
            };
        let text_opts = report::text::TextOptions { color };
        crate::run::write_streamed(file.as_deref(), |w| match format {
            Format::Text => report::text::write_text(r, &text_opts, w),
            Format::Table => report::text::write_table(r, &text_opts, w),
            Format::Json => report::json::write_json(r, w),
            Format::Sarif => report::sarif::write_sarif(r, w),
            Format::CycloneDx => report::cyclonedx::write_cyclonedx(
                r,
                &parts.inventory,
                &parts.subject,
                sbom_options
                    .as_ref()
                    .expect("set when a cyclonedx output is asked for"),
                w,
            ),
        })?;
    }
    if outputs
        .iter()
        .all(|(f, file)| file.is_some() || *f != Format::Text && *f != Format::Table)
    {
        // Nothing for people on standard output: say in one line what happened.
        let _ = writeln!(
            std::io::stderr(),
            "rampart: {} vulnerabilities, {} at or above --fail-on {}",
            r.entries.iter().filter(|e| e.suppressed.is_none()).count(),
            r.failing().count(),
            r.policy.fail_on.as_str()
        );
    }
    Ok(())
}

/// `rampart image scan`.
pub fn image_scan(reference: &str, pull: &crate::image::PullArgs, args: &VulnArgs) -> Result<u8> {
    let outputs = formats(args)?;
    let rules = match suppressions(args)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let (db, db_info) = open_database(args)?;
    let (info, inventory) = crate::image::read_image(reference, pull)?;
    if !inventory.warnings.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} problems while reading the image (`rampart image inventory` lists them)",
            inventory.warnings.len()
        );
    }
    let subject = sbom::Subject::from_info(&info);
    let lines = vec![None; inventory.packages.len()];
    let image = rampart_vuln::policy::ImageRef {
        reference: info.reference.clone(),
        digests: info.manifest_digest.iter().cloned().collect(),
    };
    let entries = entries(
        &db,
        &inventory.packages,
        inventory.distro.as_ref(),
        &lines,
        &rules,
        Some(&image),
    )?;
    let report_subject = Subject::Image {
        reference: info.reference.clone(),
        digest: subject.digest().map(str::to_owned),
        distro: inventory.distro.as_ref().map(distro_name),
        ecosystem: inventory.distro.as_ref().and_then(|d| d.osv_ecosystem.clone()),
    };
    let r = Report::new(
        report_subject,
        db_info,
        inventory.packages.clone(),
        entries,
        policy(args),
    );
    let code = r.exit_code();
    crate::run::set_pending_exit(code);
    write_outputs(args, &outputs, &r, &SbomParts { inventory, subject })?;
    Ok(code)
}

/// The prefix that makes a path relative to the scanned root a path as the user sees it:
/// `app/` for `rampart deps app`, nothing for `rampart deps .`.
fn display_prefix(root: &Path) -> String {
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new(""))
    } else {
        root
    };
    let s = base.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_end_matches('/');
    if s.is_empty() || s == "." {
        String::new()
    } else {
        format!("{s}/")
    }
}

/// `rampart deps`.
pub fn deps(args: &DepsArgs) -> Result<u8> {
    let outputs = formats(&args.vuln)?;
    let rules = match suppressions(&args.vuln)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let (db, db_info) = open_database(&args.vuln)?;
    let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let options = rampart_image::lockfiles::ScanOptions {
        exclude: args.exclude.clone(),
        ..rampart_image::lockfiles::ScanOptions::default()
    };
    let scanned = rampart_image::lockfiles::scan(&root, &options)
        .map_err(|e| anyhow::anyhow!("{}: {}", e.file.display(), e.message))?;
    let prefix = display_prefix(&root);
    let mut packages = Vec::with_capacity(scanned.packages.len());
    let mut lines = Vec::with_capacity(scanned.packages.len());
    for locked in scanned.packages {
        let mut p = locked.package;
        for l in &mut p.locations {
            l.path = format!("{prefix}{}", l.path);
        }
        packages.push(p);
        lines.push(locked.line);
    }
    let mut problems = Vec::new();
    for e in &scanned.errors {
        let file = format!("{prefix}{}", e.file.to_string_lossy().replace('\\', "/"));
        problems.push(match e.line {
            Some(l) => format!("{file}:{l}: {}", e.message),
            None => format!("{file}: {}", e.message),
        });
    }
    if let Some(first) = scanned.skipped.first() {
        let at = match first.line {
            Some(l) => format!("{prefix}{}:{l}", first.file),
            None => format!("{prefix}{}", first.file),
        };
        let _ = writeln!(
            std::io::stderr(),
            "note: {} dependencies pin no version that advisories can be matched against (first: {at} {}: {})",
            scanned.skipped.len(),
            first.name,
            first.reason
        );
    }
    let entries = entries(&db, &packages, None, &lines, &rules, None)?;
    let files: Vec<String> = scanned
        .files
        .iter()
        .map(|(f, _)| format!("{prefix}{}", f.to_string_lossy().replace('\\', "/")))
        .collect();
    let shown_root = root.to_string_lossy().into_owned();
    let mut r = Report::new(
        Subject::Lockfiles {
            path: shown_root.clone(),
            files,
        },
        db_info,
        packages.clone(),
        entries,
        policy(&args.vuln),
    );
    r.problems = problems;
    let code = if r.problems.is_empty() { r.exit_code() } else { 2 };
    crate::run::set_pending_exit(code);
    let to_terminal_text = outputs
        .iter()
        .any(|(f, file)| file.is_none() && matches!(f, Format::Text | Format::Table));
    if !to_terminal_text {
        for p in &r.problems {
            let _ = writeln!(std::io::stderr(), "error: {p}");
        }
    }
    let parts = SbomParts {
        inventory: Inventory {
            distro: None,
            packages,
            warnings: Vec::new(),
            files: 0,
        },
        subject: sbom::Subject {
            reference: shown_root,
            source: sbom::SourceKind::Dir,
            manifest_digest: None,
            config_digest: None,
            platform: None,
            layers: Vec::new(),
        },
    };
    write_outputs(&args.vuln, &outputs, &r, &parts)?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_prefixes() {
        assert_eq!(display_prefix(Path::new(".")), "");
        assert_eq!(display_prefix(Path::new("./")), "");
        assert_eq!(display_prefix(Path::new("app/")), "app/");
        assert_eq!(display_prefix(Path::new("./app")), "app/");
    }
}
