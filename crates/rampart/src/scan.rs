//! Finding the files to scan, reading them in parallel, and turning them into objects.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rampart_config::path_matches;
use rampart_model::{Diagnostic, Level, Limits, Object, Pos, Source, decode, parse_source, parse_text};
use rayon::prelude::*;

/// One input to read.
#[derive(Debug, Clone)]
pub enum Input {
    Stdin,
    File { path: PathBuf, name: String },
}

/// The result of loading all inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    pub files_read: usize,
    pub files_skipped: BTreeMap<String, usize>,
    pub documents_not_kubernetes: usize,
}

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map_or(s.clone(), str::to_string)
}

/// Expands the command-line paths into inputs. Directories are walked recursively for
/// `.yaml`, `.yml` and `.json` files; files named explicitly are read whatever their
/// extension. Excluded paths are counted, missing paths are errors.
pub fn discover(paths: &[PathBuf], excludes: &[String], loaded: &mut Loaded) -> Vec<Input> {
    let mut inputs = Vec::new();
    let excluded = |name: &str| excludes.iter().any(|g| path_matches(g, name));
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let name = display_name(p);
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                loaded.diagnostics.push(Diagnostic {
                    level: Level::Error,
                    file: name,
                    pos: None,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        if meta.is_file() {
            if excluded(&name) {
                *loaded.files_skipped.entry("excluded".into()).or_default() += 1;
            } else {
                inputs.push(Input::File {
                    path: p.clone(),
                    name,
                });
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || e.file_name() != ".git");
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    loaded.diagnostics.push(Diagnostic {
                        level: Level::Error,
                        file: e.path().map_or_else(|| name.clone(), display_name),
                        pos: None,
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            if !path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                continue;
            }
            if path
                .file_name()
                .is_some_and(|n| n == rampart_config::CONFIG_FILE_NAME)
            {
                continue;
            }
            let fname = display_name(path);
            if excluded(&fname) {
                *loaded.files_skipped.entry("excluded".into()).or_default() += 1;
                continue;
            }
            inputs.push(Input::File {
                path: path.to_path_buf(),
                name: fname,
            });
        }
    }
    inputs
}

enum FileOutcome {
    Parsed(rampart_model::Parsed),
    Skipped {
        reason: &'static str,
        not_kubernetes: usize,
    },
    Failed(Diagnostic),
}

fn read_input(input: &Input, max_bytes: u64) -> Result<(String, Vec<u8>), Diagnostic> {
    match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            let res = std::io::stdin().lock().take(max_bytes + 1).read_to_end(&mut buf);
            match res {
                Ok(_) => Ok(("<stdin>".into(), buf)),
                Err(e) => Err(Diagnostic {
                    level: Level::Error,
                    file: "<stdin>".into(),
                    pos: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        Input::File { path, name } => {
            let err = |e: std::io::Error| Diagnostic {
                level: Level::Error,
                file: name.clone(),
                pos: None,
                message: format!("cannot read: {e}"),
            };
            let size = std::fs::metadata(path).map_err(err)?.len();
            if size > max_bytes {
                return Err(Diagnostic {
                    level: Level::Error,
                    file: name.clone(),
                    pos: None,
                    message: rampart_model::DecodeError::TooLarge {
                        size,
                        limit: max_bytes,
                    }
                    .to_string(),
                });
            }
            // Sized from the metadata: growing by doubling would map fresh memory several
            // times over for each large file. `take` still bounds a file that grew since.
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
            std::fs::File::open(path)
                .and_then(|f| f.take(max_bytes + 1).read_to_end(&mut buf))
                .map_err(err)?;
            Ok((name.clone(), buf))
        }
    }
}

fn load_one(input: &Input, limits: &Limits, max_bytes: u64, keep_text: bool) -> (Arc<Source>, FileOutcome) {
    let (name, bytes) = match read_input(input, max_bytes) {
        Ok(x) => x,
        Err(d) => {
            let src = Arc::new(Source::new(d.file.clone(), None));
            return (src, FileOutcome::Failed(d));
        }
    };
    let diag = |message: String, pos: Option<Pos>| Diagnostic {
        level: Level::Error,
        file: name.clone(),
        pos,
        message,
    };
    if bytes.len() as u64 > max_bytes {
        let d = diag(
            rampart_model::DecodeError::TooLarge {
                size: bytes.len() as u64,
                limit: max_bytes,
            }
            .to_string(),
            None,
        );
        return (Arc::new(Source::new(name, None)), FileOutcome::Failed(d));
    }
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(rampart_model::DecodeError::Empty) => {
            return (
                Arc::new(Source::new(name, None)),
                FileOutcome::Skipped {
                    reason: "empty",
                    not_kubernetes: 0,
                },
            );
        }
        Err(e) => {
            let d = diag(e.to_string(), e.pos());
            return (Arc::new(Source::new(name, None)), FileOutcome::Failed(d));
        }
    };
    let (source, text) = if keep_text {
        (Arc::new(Source::new(name.clone(), Some(text))), None)
    } else {
        (Arc::new(Source::new(name.clone(), None)), Some(text))
    };
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &text {
        Some(t) => parse_text(&source, t, limits),
        None => parse_source(&source, limits),
    }));
    // A text that is not kept is freed here, while this thread still parses other files
    // whose trees can reuse its memory.
    drop(text);
    match parsed {
        Ok(p) if p.objects.is_empty() && p.errors.is_empty() => {
            let reason = if p.not_kubernetes > 0 {
                "not-kubernetes"
            } else {
                "empty"
            };
            (
                source,
                FileOutcome::Skipped {
                    reason,
                    not_kubernetes: p.not_kubernetes,
                },
            )
        }
        Ok(p) => (source, FileOutcome::Parsed(p)),
        Err(_) => {
            let d = diag(
                "internal error while parsing this file; please report it with the file attached".into(),
                None,
            );
            (source, FileOutcome::Failed(d))
        }
    }
}

/// Finds and reads the manifests under `paths` (the current directory when there are
/// none), skipping `excludes`. Sources keep their text only with `keep_text`.
pub fn read_paths(paths: &[PathBuf], excludes: &[String], max_bytes: u64, keep_text: bool) -> Loaded {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut loaded = Loaded::default();
    let inputs = discover(paths, excludes, &mut loaded);
    load(&inputs, &Limits::default(), max_bytes, keep_text, &mut loaded);
    loaded
}

/// Reads and parses every input in parallel; objects keep the input order. Sources keep
/// their text only with `keep_text` (for reports that show the offending lines).
pub fn load(inputs: &[Input], limits: &Limits, max_bytes: u64, keep_text: bool, loaded: &mut Loaded) {
    let outcomes: Vec<(Arc<Source>, FileOutcome)> = inputs
        .par_iter()
        .map(|i| load_one(i, limits, max_bytes, keep_text))
        .collect();
    for (source, outcome) in outcomes {
        match outcome {
            FileOutcome::Parsed(p) => {
                loaded.files_read += 1;
                loaded.documents_not_kubernetes += p.not_kubernetes;
                for e in p.errors {
                    loaded.diagnostics.push(Diagnostic {
                        level: Level::Error,
                        file: source.name.clone(),
                        pos: Some(e.pos),
                        message: e.message,
                    });
                }
                for w in p.warnings {
                    loaded.diagnostics.push(Diagnostic {
                        level: Level::Warning,
                        file: source.name.clone(),
                        pos: Some(w.pos),
                        message: w.message,
                    });
                }
                loaded.objects.extend(p.objects);
            }
            FileOutcome::Skipped {
                reason,
                not_kubernetes,
            } => {
                *loaded.files_skipped.entry(reason.into()).or_default() += 1;
                loaded.documents_not_kubernetes += not_kubernetes;
            }
            FileOutcome::Failed(d) => {
                *loaded.files_skipped.entry("error".into()).or_default() += 1;
                loaded.diagnostics.push(d);
            }
        }
    }
}
