//! `rampart db`: the local vulnerability database (OSV advisories). Import files and
//! archives, download the per-ecosystem archives osv.dev publishes, show what is there.
//!
//! Every change builds a complete new database file and renames it over the old one, so
//! an interrupted or failed import or update leaves the previous database as it was.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use rampart_vuln::store::{self, Builder, Database, SourceInfo, SourceKind};

/// Where osv.dev publishes `<Ecosystem>/all.zip`.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The ecosystems `rampart db update` downloads when none is named and the database has
/// no downloaded source yet: those whose packages Rampart finds in images.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "AlmaLinux",
    "Alpine",
    "Chainguard",
    "Debian",
    "Rocky Linux",
    "Ubuntu",
    "Wolfi",
    "crates.io",
    "Go",
    "Maven",
    "npm",
    "NuGet",
    "Packagist",
    "PyPI",
    "RubyGems",
];

pub const DB_HELP: &str = "\
The database lives in --db DIR, else $RAMPART_DB, else $XDG_CACHE_HOME/rampart/db
(~/.cache/rampart/db). It is one file, DIR/osv.db; each import or update writes a new
file beside it and renames it into place, so a failed or interrupted run leaves the
previous database intact.

Sources: every import path and every downloaded ecosystem is a source; importing or
updating the same source again replaces its records and keeps the others.

Exit codes:
  0  done (records that could not be read are reported as warnings and skipped)
  2  usage or input error, download failure, no database

Examples:
  rampart db update --ecosystem Debian --ecosystem PyPI
  rampart db update --base-url http://mirror.internal/osv
  rampart db import ./advisories ./PyPI-all.zip
  rampart db status --max-age 3d";

#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database directory [default: $RAMPART_DB, else $XDG_CACHE_HOME/rampart/db or
    /// ~/.cache/rampart/db].
    #[arg(long, global = true, value_name = "DIR")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import OSV records: directories of .json/.yaml/.yml files (searched recursively,
    /// .zip archives in them included), OSV all.zip archives, single record files.
    Import {
        /// Directories, archives or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Start from an empty database instead of keeping the other sources.
        #[arg(long)]
        replace: bool,
    },
    /// Download the OSV archive (<base-url>/<Ecosystem>/all.zip) of each ecosystem and
    /// rebuild the database with them.
    Update {
        /// OSV ecosystem to download (`Debian`, `PyPI`, `Rocky Linux` ...); repeatable.
        /// Default: the ecosystems downloaded before, else a list covering the packages
        /// Rampart finds in images.
        #[arg(long = "ecosystem", short = 'e', value_name = "ECOSYSTEM")]
        ecosystems: Vec<String>,
        /// Base URL of an OSV mirror [default: $RAMPART_OSV_URL, else osv.dev's].
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Longest time one download may take, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
        timeout: u64,
    },
    /// Show the sources, their record counts and age; warn about sources at least
    /// --max-age old.
    Status {
        /// Age from which a source is stale: a number with s, m, h or d (`36h`, `7d`).
        #[arg(long, value_name = "AGE", default_value = "7d", value_parser = parse_age)]
        max_age: u64,
        #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Text)]
        format: StatusFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
}

/// Parses an age: `90s`, `45m`, `36h`, `7d`, or plain seconds.
pub fn parse_age(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
        _ => (t, 's'),
    };
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        _ => return Err(format!("`{s}`: the unit must be s, m, h or d")),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{s}` is not an age like 36h or 7d"))
}

/// The database directory: `--db`, else `$RAMPART_DB`, else the XDG cache directory.
pub fn db_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_owned());
    }
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = env("RAMPART_DB") {
        return Ok(p);
    }
    if let Some(p) = env("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Ok(p.join("rampart/db"));
    }
    match env("HOME") {
        Some(home) => Ok(home.join(".cache/rampart/db")),
        None => bail!("no database directory: pass --db DIR or set RAMPART_DB (HOME is not set)"),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn run(args: &DbArgs) -> Result<u8> {
    let dir = db_dir(args.db.as_deref())?;
    match &args.command {
        DbCommand::Import { paths, replace } => import(&dir, paths, *replace),
        DbCommand::Update {
            ecosystems,
            base_url,
            timeout,
        } => {
            let base = base_url
                .clone()
                .or_else(|| std::env::var("RAMPART_OSV_URL").ok().filter(|s| !s.is_empty()))
                .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
            update(&dir, ecosystems, &base, Duration::from_secs(*timeout))
        }
        DbCommand::Status { max_age, format } => status(&dir, *max_age, *format),
    }
}

/// A builder holding the current database's records minus the sources about to be
/// replaced (or nothing, when there is no database yet or `fresh`).
fn start(dir: &Path, fresh: bool, replaced: &dyn Fn(&SourceInfo) -> bool) -> Result<Builder> {
    if fresh {
        return Ok(Builder::new());
    }
    match Database::open(dir) {
        Ok(db) => Builder::from_database(&db, replaced)
            .with_context(|| format!("cannot read the current database in {}", dir.display())),
        Err(store::Error::Missing(_)) => Ok(Builder::new()),
        Err(e @ store::Error::Corrupt { .. }) => {
            let _ = writeln!(
                std::io::stderr(),
                "warning: {e}; building a new database from these sources only"
            );
            Ok(Builder::new())
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes what a killed import or update left behind (downloads, unfinished database
/// files). Called with the lock held, so nothing else is writing them.
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if (name.starts_with(".download-") && name.ends_with(".zip"))
            || (name.starts_with(&format!(".{}.", store::FILE_NAME)) && name.ends_with(".tmp"))
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn warn_problems(problems: &[rampart_vuln::osv::Problem]) {
    let mut err = std::io::stderr().lock();
    for p in problems {
        let _ = writeln!(err, "warning: {p}");
    }
}

fn import(dir: &Path, paths: &[PathBuf], replace: bool) -> Result<u8> {
    let _lock = store::lock(dir)?;
    remove_leftovers(dir);
    let mut names = Vec::new();
    for p in paths {
        if !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
        let abs = std::fs::canonicalize(p).with_context(|| format!("cannot read {}", p.display()))?;
        names.push(abs.display().to_string());
    }
    let mut builder = start(dir, replace, &|s| names.contains(&s.name))?;
    let t = now();
    let mut out = String::new();
    for (p, name) in paths.iter().zip(&names) {
        let source = builder.add_source(name, SourceKind::Import, name, t);
        let stats = builder
            .add_path(source, p)
            .with_context(|| format!("cannot import {}", p.display()))?;
        warn_problems(&stats.problems);
        let _ = writeln!(
            out,
            "{}: {} records imported, {} withdrawn skipped, {} unreadable",
            p.display(),
            stats.records,
            stats.withdrawn,
            stats.problems.len()
        );
    }
    finish(builder, dir, t, out)
}

/// `Rocky Linux` → `Rocky%20Linux`: the ecosystem as a URL path segment.
fn url_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Removes the downloaded archives when dropped, whatever happened.
struct Downloads(Vec<PathBuf>);

impl Drop for Downloads {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn download(agent: &ureq::Agent, url: &str, dest: &Path) -> Result<u64> {
    let resp = agent
        .get(url)
        .call()
        .with_context(|| format!("cannot download {url}"))?;
    let mut reader = resp.into_body().into_reader();
    let mut file = std::fs::File::create(dest).with_context(|| format!("cannot write {}", dest.display()))?;
    let n = std::io::copy(&mut reader, &mut file).with_context(|| format!("download of {url} failed"))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", dest.display()))?;
    Ok(n)
}

/// Writes the database (atomically) and prints what was done and what it now holds.
fn finish(builder: Builder, dir: &Path, built: u64, mut out: String) -> Result<u8> {
    let meta = builder.write(dir, built)?;
    let _ = writeln!(
        out,
        "database {}: {} advisories, {} packages",
        Database::file_path(dir).display(),
        meta.advisories,
        meta.packages
    );
    crate::run::write_stdout(&out)?;
    Ok(0)
}

fn update(dir: &Path, ecosystems: &[String], base: &str, timeout: Duration) -> Result<u8> {
    let _lock = store::lock(dir)?;
    remove_leftovers(dir);
    let previous = match Database::open(dir) {
        Ok(db) => Some(db.metadata().clone()),
        Err(_) => None,
    };
    let chosen: Vec<String> = if !ecosystems.is_empty() {
        ecosystems.to_vec()
    } else if let Some(prev) = previous
        .as_ref()
        .map(|m| {
            m.sources
                .iter()
                .filter(|s| s.kind == SourceKind::Download)
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
    {
        prev
    } else {
        DEFAULT_ECOSYSTEMS.iter().map(|s| (*s).to_owned()).collect()
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_mins(2)))
        .timeout_recv_body(Some(timeout))
        .build()
        .into();
    let base = base.trim_end_matches('/');
    let mut downloads = Downloads(Vec::new());
    let mut fetched = Vec::new();
    let mut err = std::io::stderr().lock();
    for eco in &chosen {
        let url = format!("{base}/{}/all.zip", url_segment(eco));
        let dest = dir.join(format!(
            ".download-{}-{}.zip",
            url_segment(eco),
            std::process::id()
        ));
        downloads.0.push(dest.clone());
        let _ = writeln!(err, "downloading {url}");
        let bytes = download(&agent, &url, &dest)?;
        fetched.push((eco.clone(), url, dest, bytes));
    }
    drop(err);
    let mut builder = start(dir, false, &|s| chosen.contains(&s.name))?;
    let t = now();
    let mut out = String::new();
    for (eco, url, dest, bytes) in &fetched {
        let source = builder.add_source(eco, SourceKind::Download, url, t);
        let stats = builder
            .add_zip_as(source, dest, url)
            .with_context(|| format!("the archive from {url} is unusable; the database was not changed"))?;
        warn_problems(&stats.problems);
        let _ = writeln!(
            out,
            "{eco}: {} records ({} bytes downloaded), {} withdrawn skipped, {} unreadable",
            stats.records,
            bytes,
            stats.withdrawn,
            stats.problems.len()
        );
    }
    finish(builder, dir, t, out)
}

/// `2026-11-27 23:40 UTC` from seconds since the epoch.
pub fn format_time(secs: u64) -> String {
    let days = i64::try_from(secs / 86400).unwrap_or(0);
    let rem = secs % 86400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// `3 days`, `5 hours`, `12 minutes`, `40 seconds`.
pub fn format_age(secs: u64) -> String {
    let (n, unit) = match secs {
        s if s >= 2 * 86400 => (s / 86400, "days"),
        s if s >= 2 * 3600 => (s / 3600, "hours"),
        s if s >= 120 => (s / 60, "minutes"),
        s => (s, "seconds"),
    };
    format!("{n} {unit}")
}

fn status(dir: &Path, max_age: u64, format: StatusFormat) -> Result<u8> {
    let db = Database::open(dir)?;
    let meta = db.metadata();
    let t = now();
    let size = std::fs::metadata(db.path()).map_or(0, |m| m.len());
    let stale: Vec<&SourceInfo> = meta
        .sources
        .iter()
        .filter(|s| t.saturating_sub(s.updated) >= max_age)
        .collect();
    match format {
        StatusFormat::Json => {
            let sources: Vec<_> = meta
                .sources
                .iter()
                .map(|s| {
                    let mut v = serde_json::to_value(s).unwrap_or_default();
                    v["age_seconds"] = t.saturating_sub(s.updated).into();
                    v["stale"] = (t.saturating_sub(s.updated) >= max_age).into();
                    v
                })
                .collect();
            let doc = serde_json::json!({
                "path": db.path().display().to_string(),
                "size": size,
                "built": meta.built,
                "advisories": meta.advisories,
                "packages": meta.packages,
                "max_age_seconds": max_age,
                "stale": !stale.is_empty(),
                "sources": sources,
            });
            crate::run::write_stdout(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
        }
        StatusFormat::Text => {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "database: {} ({} bytes, built {})",
                db.path().display(),
                size,
                format_time(meta.built)
            );
            let _ = writeln!(
                out,
                "advisories: {}, packages: {}",
                meta.advisories, meta.packages
            );
            for s in &meta.sources {
                let _ = writeln!(
                    out,
                    "\n{} ({})\n  from:      {}\n  updated:   {} ({} ago)\n  records:   {} ({} withdrawn skipped, {} unreadable)",
                    s.name,
                    match s.kind {
                        SourceKind::Import => "import",
                        SourceKind::Download => "download",
                    },
                    s.location,
                    format_time(s.updated),
                    format_age(t.saturating_sub(s.updated)),
                    s.records,
                    s.withdrawn,
                    s.problems,
                );
                if let Some(m) = &s.newest_modified {
                    let _ = writeln!(out, "  newest:    {m}");
                }
                let ecos: Vec<String> = s.ecosystems.iter().map(|(e, n)| format!("{e} ({n})")).collect();
                if !ecos.is_empty() {
                    let _ = writeln!(out, "  ecosystems: {}", ecos.join(", "));
                }
            }
            crate::run::write_stdout(&out)?;
        }
    }
    let mut err = std::io::stderr().lock();
    for s in stale {
        let _ = writeln!(
            err,
            "warning: source {} was updated {} ago (--max-age {}); run `rampart db update` (or import it again)",
            s.name,
            format_age(t.saturating_sub(s.updated)),
            format_age(max_age)
        );
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_times() {
        assert_eq!(parse_age("7d"), Ok(7 * 86400));
        assert_eq!(parse_age("36h"), Ok(36 * 3600));
        assert_eq!(parse_age("90"), Ok(90));
        assert!(parse_age("7w").is_err());
        assert!(parse_age("d").is_err());
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_709_251_200), "2024-03-01 00:00 UTC");
        assert_eq!(format_time(951_782_400 + 3600 + 120), "2000-02-29 01:02 UTC");
        assert_eq!(format_age(3 * 86400 + 5), "3 days");
        assert_eq!(url_segment("Rocky Linux"), "Rocky%20Linux");
    }
}
