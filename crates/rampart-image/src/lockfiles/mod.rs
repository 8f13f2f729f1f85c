//! Lockfiles and manifests of a source tree: the packages a project pins before there is
//! an image, for matching against the same advisories as image packages.
//!
//! [`scan`] walks a directory (or reads one file), recognises lockfiles by name
//! ([`Format::detect`]) and parses each with [`parse`]. One file per format:
//!
//! | format | files | ecosystem |
//! |---|---|---|
//! | [`cargo_lock`] | `Cargo.lock` (v1 to v4) | crates.io |
//! | [`package_lock`] | `package-lock.json`, `npm-shrinkwrap.json` (v1 to v3) | npm |
//! | [`yarn_lock`] | `yarn.lock` (classic v1 and berry) | npm |
//! | [`pnpm_lock`] | `pnpm-lock.yaml` (v5 to v9) | npm |
//! | [`requirements`] | `requirements*.txt`, `*requirements.txt`, `requirements/*.txt` | PyPI |
//! | [`poetry_lock`] | `poetry.lock` | PyPI |
//! | [`uv_lock`] | `uv.lock` | PyPI |
//! | [`go_mod`] | `go.mod` | Go |
//! | [`go_sum`] | `go.sum` (a complement of `go.mod`) | Go |
//! | [`gemfile_lock`] | `Gemfile.lock`, `gems.locked` | RubyGems |
//! | [`composer_lock`] | `composer.lock` | Packagist |
//! | [`pom`] | `pom.xml` | Maven |
//!
//! Parsers never panic: a broken file is one [`LockfileError`] naming the file and, when
//! known, the line; the other files are still scanned. Entries that name a dependency but
//! pin no version that advisories can be matched against (an unpinned requirement, a
//! Maven version from an unknown property, a Go module replaced by a local directory) are
//! reported as [`Skipped`], never guessed.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::package::{Location, Package, PackageType};

pub mod cargo_lock;
pub mod composer_lock;
pub mod gemfile_lock;
pub mod go_mod;
pub mod go_sum;
pub mod package_lock;
pub mod pnpm_lock;
pub mod poetry_lock;
pub mod pom;
pub mod requirements;
pub mod uv_lock;
pub mod yarn_lock;

/// A lockfile or manifest format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    CargoLock,
    PackageLock,
    YarnLock,
    PnpmLock,
    Requirements,
    PoetryLock,
    UvLock,
    GoMod,
    GoSum,
    GemfileLock,
    ComposerLock,
    PomXml,
}

impl Format {
    pub const ALL: [Format; 12] = [
        Format::CargoLock,
        Format::PackageLock,
        Format::YarnLock,
        Format::PnpmLock,
        Format::Requirements,
        Format::PoetryLock,
        Format::UvLock,
        Format::GoMod,
        Format::GoSum,
        Format::GemfileLock,
        Format::ComposerLock,
        Format::PomXml,
    ];

    /// Stable id, also the `cataloger` of every package parsed from this format.
    pub fn id(self) -> &'static str {
        match self {
            Format::CargoLock => "cargo-lock",
            Format::PackageLock => "package-lock",
            Format::YarnLock => "yarn-lock",
            Format::PnpmLock => "pnpm-lock",
            Format::Requirements => "requirements",
            Format::PoetryLock => "poetry-lock",
            Format::UvLock => "uv-lock",
            Format::GoMod => "go-mod",
            Format::GoSum => "go-sum",
            Format::GemfileLock => "gemfile-lock",
            Format::ComposerLock => "composer-lock",
            Format::PomXml => "pom-xml",
        }
    }

    /// The format with this [`id`](Format::id).
    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }

    /// The ecosystem of the packages this format pins.
    pub fn package_type(self) -> PackageType {
        match self {
            Format::CargoLock => PackageType::Cargo,
            Format::PackageLock | Format::YarnLock | Format::PnpmLock => PackageType::Npm,
            Format::Requirements | Format::PoetryLock | Format::UvLock => PackageType::Python,
            Format::GoMod | Format::GoSum => PackageType::Go,
            Format::GemfileLock => PackageType::Gem,
            Format::ComposerLock => PackageType::Composer,
            Format::PomXml => PackageType::Maven,
        }
    }

    /// Recognises a lockfile by its name (and, for requirements files, the name of its
    /// directory). Exact, case-sensitive names, as the tools write them.
    pub fn detect(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        Some(match name {
            "Cargo.lock" => Format::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => Format::PackageLock,
            "yarn.lock" => Format::YarnLock,
            "pnpm-lock.yaml" => Format::PnpmLock,
            "poetry.lock" => Format::PoetryLock,
            "uv.lock" => Format::UvLock,
            "go.mod" => Format::GoMod,
            "go.sum" => Format::GoSum,
            "Gemfile.lock" | "gems.locked" => Format::GemfileLock,
            "composer.lock" => Format::ComposerLock,
            "pom.xml" => Format::PomXml,
            _ if is_requirements_name(path, name) => Format::Requirements,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

fn is_requirements_name(path: &Path, name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    let stem = stem.to_ascii_lowercase();
    stem.starts_with("requirements")
        || stem.ends_with("requirements")
        || path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d.eq_ignore_ascii_case("requirements"))
}

/// A package pinned by a lockfile, with what the lockfile says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockedPackage {
    #[serde(flatten)]
    pub package: Package,
    /// The 1-based line of the entry in the lockfile (of its first line), when the format
    /// makes that cheap to know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Needed only to develop or test the project (npm `dev`, pnpm v5/v6 `dev`, Poetry's
    /// non-`main` groups, Composer's `packages-dev`, Maven's `test` scope).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// An optional dependency (npm and pnpm `optional`, Poetry `optional`, Maven
    /// `<optional>true</optional>`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// A dependency that is named but pins no version advisories can be matched against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The lockfile, relative to the scanned root.
    pub file: String,
    pub line: Option<u32>,
    pub name: String,
    /// Why it cannot be matched (`not pinned with ==`, `version from an undefined
    /// property ${x}`, `replaced by the local directory ../x`).
    pub reason: String,
}

/// A lockfile that could not be read or parsed, or a line of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct LockfileError {
    /// The lockfile, relative to the scanned root (or as given, for the root itself).
    pub file: PathBuf,
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for LockfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// What [`parse`] found in one file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub packages: Vec<LockedPackage>,
    pub skipped: Vec<Skipped>,
    /// Problems with single entries; the rest of the file was still read.
    pub errors: Vec<LockfileError>,
    /// Other files this one includes (requirements `-r`), as written, with their line.
    pub includes: Vec<(u32, String)>,
    /// The Go version of a `go.mod` (`go` directive), which decides whether its `go.sum`
    /// adds anything (see [`go_sum`]).
    pub go_version: Option<String>,
}

/// Parses one lockfile. `file` names it in locations and messages (the scan passes the
/// path relative to the scanned root). Never panics; an error means nothing in the file
/// could be trusted.
pub fn parse(format: Format, file: &str, bytes: &[u8]) -> Result<Parsed, LockfileError> {
    let text = match rampart_model::decode(bytes.to_vec()) {
        Ok(text) => text,
        Err(rampart_model::DecodeError::Empty) => return Ok(Parsed::default()),
        Err(e) => return Err(error(file, e.pos().map(|p| p.line), e.to_string())),
    };
    let mut ctx = Ctx {
        format,
        file,
        out: Parsed::default(),
    };
    // Parsers report the end of the input one line past the last (an unclosed bracket):
    // name the last line instead.
    let last_line = u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX);
    let clamp = |mut e: LockfileError| {
        e.line = e.line.map(|l| l.min(last_line));
        e
    };
    let result = match format {
        Format::CargoLock => cargo_lock::parse(&mut ctx, &text),
        Format::PackageLock => package_lock::parse(&mut ctx, &text),
        Format::YarnLock => yarn_lock::parse(&mut ctx, &text),
        Format::PnpmLock => pnpm_lock::parse(&mut ctx, &text),
        Format::Requirements => {
            requirements::parse(&mut ctx, &text);
            Ok(())
        }
        Format::PoetryLock => poetry_lock::parse(&mut ctx, &text),
        Format::UvLock => uv_lock::parse(&mut ctx, &text),
        Format::GoMod => {
            go_mod::parse(&mut ctx, &text);
            Ok(())
        }
        Format::GoSum => {
            go_sum::parse(&mut ctx, &text);
            Ok(())
        }
        Format::GemfileLock => {
            gemfile_lock::parse(&mut ctx, &text);
            Ok(())
        }
        Format::ComposerLock => composer_lock::parse(&mut ctx, &text),
        Format::PomXml => pom::parse(&mut ctx, &text),
    };
    result.map_err(clamp)?;
    let mut out = ctx.out;
    let (good, empty): (Vec<_>, Vec<_>) = out
        .packages
        .into_iter()
        .partition(|p| !p.package.name.trim().is_empty() && !p.package.version.trim().is_empty());
    out.packages = good;
    for p in empty {
        out.errors
            .push(error(file, p.line, "an entry with an empty name or version"));
    }
    dedup(&mut out.packages);
    out.errors = out.errors.into_iter().map(clamp).collect();
    Ok(out)
}

/// The same package pinned twice in one file (npm v1 nesting, pnpm peer variants) is
/// reported once, at its first line.
fn dedup(packages: &mut Vec<LockedPackage>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out: Vec<LockedPackage> = Vec::with_capacity(packages.len());
    for p in packages.drain(..) {
        if let Some(&i) = seen.get(&p.package.purl) {
            // Needed at run time if any occurrence is.
            out[i].dev &= p.dev;
            out[i].optional &= p.optional;
        } else {
            seen.insert(p.package.purl.clone(), out.len());
            out.push(p);
        }
    }
    *packages = out;
}

/// What a format parser adds to.
pub(crate) struct Ctx<'a> {
    pub format: Format,
    pub file: &'a str,
    pub out: Parsed,
}

impl Ctx<'_> {
    /// Adds a package with the format's ecosystem and cataloger id.
    pub fn add(&mut self, name: &str, version: &str, purl: String, line: Option<u32>) -> &mut LockedPackage {
        self.out.packages.push(LockedPackage {
            package: Package {
                name: name.to_string(),
                version: version.to_string(),
                kind: self.format.package_type(),
                purl,
                source: None,
                arch: None,
                licenses: Vec::new(),
                locations: vec![Location {
                    path: self.file.to_string(),
                    layer: None,
                }],
                cataloger: self.format.id(),
            },
            line,
            dev: false,
            optional: false,
        });
        self.out.packages.last_mut().expect("just pushed")
    }

    pub fn skip(&mut self, name: &str, line: Option<u32>, reason: impl Into<String>) {
        self.out.skipped.push(Skipped {
            file: self.file.to_string(),
            line,
            name: name.to_string(),
            reason: reason.into(),
        });
    }

    pub fn error(&self, line: Option<u32>, message: impl Into<String>) -> LockfileError {
        error(self.file, line, message)
    }

    /// Records a problem with one entry and goes on.
    pub fn entry_error(&mut self, line: Option<u32>, message: impl Into<String>) {
        let e = self.error(line, message);
        self.out.errors.push(e);
    }
}

pub(crate) fn error(file: &str, line: Option<u32>, message: impl Into<String>) -> LockfileError {
    LockfileError {
        file: PathBuf::from(file),
        line,
        message: message.into(),
    }
}

/// Loads a YAML or JSON text with the project's spanned loader (positions for every node).
pub(crate) fn load_tree(ctx: &Ctx<'_>, text: &str) -> Result<rampart_model::Node, LockfileError> {
    let loaded = rampart_model::yaml::load(text, &rampart_model::Limits::default());
    if let Some(p) = loaded.errors.first() {
        return Err(ctx.error(p.pos.is_known().then_some(p.pos.line), p.message.clone()));
    }
    let mut docs = loaded.docs.into_iter();
    let Some(doc) = docs.next() else {
        return Err(ctx.error(None, "no document"));
    };
    if let Some(extra) = docs.next() {
        return Err(ctx.error(Some(extra.start.line), "more than one document"));
    }
    Ok(doc.root)
}

/// The line of a node, when the loader knew it.
pub(crate) fn node_line(pos: rampart_model::Pos) -> Option<u32> {
    pos.is_known().then_some(pos.line)
}

/// Line numbers for many byte offsets of one text, without rescanning it each time.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { starts }
    }

    pub fn line(&self, offset: usize) -> u32 {
        let i = self.starts.partition_point(|&s| s <= offset);
        u32::try_from(i.max(1)).unwrap_or(u32::MAX)
    }
}

/// Parses a TOML lockfile into `T`, reporting a syntax or shape error with its line.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<T, LockfileError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| Lines::new(text).line(s.start));
        ctx.error(line, format!("invalid TOML: {}", e.message().trim_end()))
    })
}

/// The npm purl of a possibly scoped name (`@scope/name`).
pub(crate) fn npm_purl(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((scope, bare)) if scope.starts_with('@') => {
            crate::package::purl(PackageType::Npm, Some(scope), bare, version, &[])
        }
        _ => crate::package::purl(PackageType::Npm, None, name, version, &[]),
    }
}

pub use crate::package::pep503_normalize;

/// The PyPI purl: the PEP 503 normalised name.
pub(crate) fn pypi_purl(name: &str, version: &str) -> String {
    crate::package::purl(PackageType::Python, None, &pep503_normalize(name), version, &[])
}

/// Options of [`scan`].
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Glob patterns (`globset` syntax) matched against paths relative to the scanned
    /// root, with `/` separators; a matching directory is not entered, a matching file not
    /// read.
    pub exclude: Vec<String>,
    /// Also skip directories named `node_modules`, `vendor`, `.git` and `target`
    /// ([`DEFAULT_EXCLUDED_DIRS`]) anywhere in the tree.
    pub default_excludes: bool,
    /// Larger files are reported as errors and not read.
    pub max_file_size: u64,
}

/// Directories not entered by default: installed dependencies, VCS data, build output.
pub const DEFAULT_EXCLUDED_DIRS: [&str; 4] = ["node_modules", "vendor", ".git", "target"];

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            exclude: Vec::new(),
            default_excludes: true,
            max_file_size: 64 << 20,
        }
    }
}

/// Everything [`scan`] found.
#[derive(Debug, Default, Serialize)]
pub struct LockfileScan {
    /// Packages in file order, files sorted by path.
    pub packages: Vec<LockedPackage>,
    /// Every lockfile read (relative to the root), with its format; files with errors
    /// included.
    pub files: Vec<(PathBuf, Format)>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<LockfileError>,
}

/// Scans a directory tree (or one file) for lockfiles. Errors of single files are in
/// [`LockfileScan::errors`]; `Err` only when `root` itself cannot be read, or is a file
/// whose name is no known lockfile.
pub fn scan(root: &Path, options: &ScanOptions) -> Result<LockfileScan, LockfileError> {
    let root_error = |m: String| LockfileError {
        file: root.to_path_buf(),
        line: None,
        message: m,
    };
    let meta = std::fs::metadata(root).map_err(|e| root_error(e.to_string()))?;
    let excludes = build_excludes(&options.exclude).map_err(root_error)?;
    let mut out = LockfileScan::default();
    let (base, found): (PathBuf, Vec<(String, Format)>) = if meta.is_dir() {
        (
            root.to_path_buf(),
            walk(root, options, &excludes, &mut out.errors),
        )
    } else {
        let format = Format::detect(root).ok_or_else(|| {
            root_error(
                "not a known lockfile name (expected one of Cargo.lock, package-lock.json, yarn.lock, \
                 pnpm-lock.yaml, requirements*.txt, poetry.lock, uv.lock, go.mod, go.sum, Gemfile.lock, \
                 composer.lock, pom.xml)"
                    .to_string(),
            )
        })?;
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = root.parent().map(Path::to_path_buf).unwrap_or_default();
        (base, vec![(name, format)])
    };
    let canonical_base = std::fs::canonicalize(if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &base
    })
    .map_err(|e| root_error(e.to_string()))?;

    let read = |rel: &str, format: Format| -> Result<Parsed, LockfileError> {
        let path = base.join(rel);
        let meta = std::fs::metadata(&path).map_err(|e| error(rel, None, e.to_string()))?;
        if meta.len() > options.max_file_size {
            return Err(error(
                rel,
                None,
                format!(
                    "file is {} bytes, over the {}-byte limit",
                    meta.len(),
                    options.max_file_size
                ),
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| error(rel, None, e.to_string()))?;
        parse(format, rel, &bytes)
    };

    let mut results: Vec<(String, Format, Result<Parsed, LockfileError>)> = found
        .par_iter()
        .map(|(rel, format)| (rel.clone(), *format, read(rel, *format)))
        .collect();

    // Requirements files included with `-r`, wherever they are inside the root.
    let mut seen: HashSet<String> = results.iter().map(|(rel, _, _)| rel.clone()).collect();
    let mut queue: VecDeque<usize> = (0..results.len()).collect();
    while let Some(i) = queue.pop_front() {
        let includes = match &results[i].2 {
            Ok(parsed) if results[i].1 == Format::Requirements => parsed.includes.clone(),
            _ => continue,
        };
        let from = results[i].0.clone();
        for (line, target) in includes {
            match resolve_include(&canonical_base, &base, &from, &target) {
                Ok(rel) => {
                    if seen.insert(rel.clone()) {
                        let parsed = read(&rel, Format::Requirements);
                        results.push((rel, Format::Requirements, parsed));
                        queue.push_back(results.len() - 1);
                    }
                }
                Err(message) => out.errors.push(error(&from, Some(line), message)),
            }
        }
    }
    results.sort_by(|a, b| Path::new(&a.0).cmp(Path::new(&b.0)));

    go_sum_complements(&mut results);

    for (rel, format, result) in results {
        out.files.push((PathBuf::from(&rel), format));
        match result {
            Ok(parsed) => {
                out.packages.extend(parsed.packages);
                out.skipped.extend(parsed.skipped);
                out.errors.extend(parsed.errors);
            }
            Err(e) => out.errors.push(e),
        }
    }
    out.errors
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(out)
}

/// A `go.sum` beside a `go.mod` of Go 1.17 or later adds nothing: such a `go.mod` lists
/// every module the build needs. Beside an older `go.mod`, it adds the modules `go.mod`
/// does not name. A `go.sum` alone counts in full.
fn go_sum_complements(results: &mut [(String, Format, Result<Parsed, LockfileError>)]) {
    let mods: BTreeMap<String, (Option<String>, BTreeSet<String>)> = results
        .iter()
        .filter(|(_, f, _)| *f == Format::GoMod)
        .filter_map(|(rel, _, r)| {
            let parsed = r.as_ref().ok()?;
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            let names = parsed.packages.iter().map(|p| p.package.name.clone()).collect();
            Some((dir, (parsed.go_version.clone(), names)))
        })
        .collect();
    for (rel, format, result) in results.iter_mut() {
        if *format != Format::GoSum {
            continue;
        }
        let Ok(parsed) = result else { continue };
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        if let Some((go_version, names)) = mods.get(dir) {
            if go_version.as_deref().is_some_and(go_lists_all_modules) {
                parsed.packages.clear();
            } else {
                parsed.packages.retain(|p| !names.contains(&p.package.name));
            }
        }
    }
}

/// Whether a `go` directive version is 1.17 or later (module graph pruning: `go.mod`
/// lists every module needed to build the main module's packages).
fn go_lists_all_modules(version: &str) -> bool {
    let mut parts = version.split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts
        .next()
        .map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>())
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    major > 1 || (major == 1 && minor >= 17)
}

fn build_excludes(patterns: &[String]) -> Result<globset::GlobSet, String> {
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).map_err(|e| format!("bad exclude pattern {p:?}: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// Relative path with `/` separators.
fn rel_string(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(
    root: &Path,
    options: &ScanOptions,
    excludes: &globset::GlobSet,
    errors: &mut Vec<LockfileError>,
) -> Vec<(String, Format)> {
    let mut found = Vec::new();
    let it = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if e.file_type().is_dir()
                && options.default_excludes
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| DEFAULT_EXCLUDED_DIRS.contains(&n))
            {
                return false;
            }
            let rel = e.path().strip_prefix(root).map(rel_string).unwrap_or_default();
            !excludes.is_match(&rel)
        });
    for entry in it {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if let Some(format) = Format::detect(e.path()) {
                    let rel = e.path().strip_prefix(root).map(rel_string).unwrap_or_default();
                    found.push((rel, format));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let rel = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(rel_string)
                    .unwrap_or_default();
                errors.push(error(&rel, None, e.to_string()));
            }
        }
    }
    found
}

/// Resolves a requirements `-r` target against the including file; it must stay inside
/// the scanned root.
fn resolve_include(canonical_base: &Path, base: &Path, from: &str, target: &str) -> Result<String, String> {
    let from_dir = Path::new(from).parent().unwrap_or(Path::new(""));
    let joined = base.join(from_dir).join(target);
    let real =
        std::fs::canonicalize(&joined).map_err(|e| format!("cannot read included file {target}: {e}"))?;
    let rel = real
        .strip_prefix(canonical_base)
        .map_err(|_| format!("included file {target} is outside the scanned directory; not read"))?;
    if !real.is_file() {
        return Err(format!("included file {target} is not a file"));
    }
    Ok(rel_string(rel))
}

/// Parses a JSON lockfile with `serde_json` (keys in document order), reporting a syntax
/// error with its line.
pub(crate) fn from_json(ctx: &Ctx<'_>, text: &str) -> Result<serde_json::Value, LockfileError> {
    serde_json::from_str(text).map_err(|e| {
        let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
        let message = e.to_string();
        // serde_json appends " at line L column C"; the line is reported separately.
        let message = message.split(" at line ").next().unwrap_or(&message);
        ctx.error(line, format!("invalid JSON: {message}"))
    })
}

/// Finds the lines of JSON object members in document order, moving forward through the
/// text only (so a whole file costs one pass): `find(key, opener)` looks for the next
/// `"key"` followed by `:` and a value starting with `opener` (`{` for an object, or the
/// quoted string a member's value must be).
pub(crate) struct JsonLines<'a> {
    text: &'a str,
    pos: usize,
    lines: Lines,
    /// Whether this writer escapes `/` as `\/` (Composer does), learnt from the first
    /// key with a `/` that is found.
    escapes_slash: Option<bool>,
}

impl<'a> JsonLines<'a> {
    pub fn new(text: &'a str) -> JsonLines<'a> {
        JsonLines {
            text,
            pos: 0,
            lines: Lines::new(text),
            escapes_slash: None,
        }
    }

    /// The line of the next member `key` whose value starts with `value_prefix`; `None`
    /// (and no move) when there is none.
    pub fn find(&mut self, key: &str, value_prefix: &str) -> Option<u32> {
        let plain = serde_json::to_string(key).ok()?;
        if !key.contains('/') {
            return self.find_quoted(&plain, value_prefix);
        }
        let escaped = plain.replace('/', "\\/");
        match self.escapes_slash {
            Some(true) => self.find_quoted(&escaped, value_prefix),
            Some(false) => self.find_quoted(&plain, value_prefix),
            None => {
                if let Some(line) = self.find_quoted(&plain, value_prefix) {
                    self.escapes_slash = Some(false);
                    Some(line)
                } else {
                    let line = self.find_quoted(&escaped, value_prefix)?;
                    self.escapes_slash = Some(true);
                    Some(line)
                }
            }
        }
    }

    fn find_quoted(&mut self, needle: &str, value_prefix: &str) -> Option<u32> {
        let mut from = self.pos;
        loop {
            let start = from + self.text.get(from..)?.find(needle)?;
            let end = start + needle.len();
            let after = self.text[end..].trim_start();
            if let Some(value) = after.strip_prefix(':')
                && value.trim_start().starts_with(value_prefix)
            {
                self.pos = end;
                return Some(self.lines.line(start));
            }
            from = end;
        }
    }
}
