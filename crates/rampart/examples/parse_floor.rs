//! The parsing floor: how fast can manifests be turned into objects, with no checks, no
//! policy and no report? `bench/run.sh` compares `rampart scan` against this.
//!
//! It walks the given paths the way `rampart scan` does (recursively, `.yaml`, `.yml` and
//! `.json` files, skipping `.git`), then reads, decodes and parses every file in parallel
//! with rayon using `rampart_model::parse_source`, keeps only counts, and prints one line:
//!
//! ```text
//! files=312 objects=50000 documents_not_kubernetes=0 errors=0 bytes=41234567 elapsed_s=0.812
//! ```
//!
//! Usage: `cargo run --release -p rampart --example parse_floor -- PATH...`

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rampart_model::{Limits, Source, decode, parse_source};
use rayon::prelude::*;

/// The same allocator as `rampart`, so the floor measures the same parsing work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

#[derive(Default, Clone, Copy)]
struct Counts {
    files: usize,
    objects: usize,
    not_kubernetes: usize,
    errors: usize,
    bytes: u64,
}

impl Counts {
    fn add(self, o: Counts) -> Counts {
        Counts {
            files: self.files + o.files,
            objects: self.objects + o.objects,
            not_kubernetes: self.not_kubernetes + o.not_kubernetes,
            errors: self.errors + o.errors,
            bytes: self.bytes + o.bytes,
        }
    }
}

fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_file() {
            files.push(p.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || e.file_name() != ".git");
        for entry in walker.filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            let keep = entry
                .path()
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
            if keep && entry.file_name() != ".rampart.yaml" {
                files.push(entry.into_path());
            }
        }
    }
    files
}

fn parse_one(path: &Path, limits: &Limits) -> Counts {
    let Ok(bytes) = std::fs::read(path) else {
        return Counts {
            errors: 1,
            ..Counts::default()
        };
    };
    let len = bytes.len() as u64;
    let Ok(text) = decode(bytes) else {
        return Counts {
            bytes: len,
            ..Counts::default()
        };
    };
    let source = Arc::new(Source::new(path.to_string_lossy().into_owned(), Some(text)));
    let parsed = parse_source(&source, limits);
    Counts {
        files: 1,
        objects: parsed.objects.len(),
        not_kubernetes: parsed.not_kubernetes,
        errors: parsed.errors.len(),
        bytes: len,
    }
}

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: parse_floor PATH...");
        std::process::exit(2);
    }
    let start = Instant::now();
    let files = discover(&paths);
    let limits = Limits::default();
    let c = files
        .par_iter()
        .map(|p| parse_one(p, &limits))
        .reduce(Counts::default, Counts::add);
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "files={} objects={} documents_not_kubernetes={} errors={} bytes={} elapsed_s={elapsed:.3}",
        c.files, c.objects, c.not_kubernetes, c.errors, c.bytes
    );
}
