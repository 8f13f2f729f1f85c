//! Go module version ordering against Go's own `golang.org/x/mod/semver` (Debian package
//! `golang-golang-x-mod-dev`, built with Debian's `golang-go` in GOPATH mode, offline),
//! on thousands of generated pairs in one process.
//!
//! `x/mod/semver` only knows `v`-prefixed module versions; Rampart also reads OSV's
//! unprefixed versions and Go toolchain versions (`go1.22rc1`), so pairs the reference
//! calls invalid are not compared here (the table tests in versions_specified.rs cover
//! those forms).

mod versions_support;

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_vuln::version::{Scheme, compare};
use versions_support::{Rng, Verdict, pair_lines, pairs_from_pool, require_program, run_batch};

const INSTALL: &str = "Debian packages `golang-go` and `golang-golang-x-mod-dev`";
const GOPATH: &str = "/usr/share/gocode";

const ORACLE: &str = r#"package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		ab := strings.SplitN(in.Text(), "\t", 2)
		if len(ab) != 2 {
			continue
		}
		if !semver.IsValid(ab[0]) || !semver.IsValid(ab[1]) {
			fmt.Fprintln(out, "invalid")
			continue
		}
		fmt.Fprintln(out, semver.Compare(ab[0], ab[1]))
	}
}
"#;

/// Builds the oracle once into the target directory.
fn oracle() -> PathBuf {
    let go = require_program("go", INSTALL);
    assert!(
        Path::new(GOPATH)
            .join("src/golang.org/x/mod/semver/semver.go")
            .is_file(),
        "golang.org/x/mod/semver is missing from {GOPATH}: install {INSTALL}"
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-semver-oracle");
    let binary = dir.join("oracle");
    if !binary.is_file() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.go"), ORACLE).unwrap();
        let out = Command::new(go)
            .current_dir(&dir)
            .args(["build", "-o", "oracle", "main.go"])
            .env("GO111MODULE", "off")
            .env("GOPATH", GOPATH)
            .env("GOCACHE", dir.join("cache"))
            .env("GOFLAGS", "")
            .output()
            .expect("run go build");
        assert!(
            out.status.success(),
            "building the x/mod/semver oracle failed ({INSTALL}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    binary
}

fn identifier(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => rng.number(),
        1 => rng
            .word(&["alpha", "beta", "rc", "pre", "0", "1", "x-y"])
            .to_owned(),
        2 => format!("{}{}", rng.word(&["rc", "beta"]), rng.below(12)),
        _ => rng.word(&["0", "1", "2", "11", "alpha"]).to_owned(),
    }
}

fn generate(rng: &mut Rng) -> String {
    let mut v = String::from("v");
    match rng.below(10) {
        // Shorthands: v1, v1.2 (valid only without pre-release or build).
        0 => {
            let _ = write!(v, "{}", rng.number());
            return v;
        }
        1 => {
            let _ = write!(v, "{}.{}", rng.number(), rng.number());
            return v;
        }
        _ => {
            let _ = write!(v, "{}.{}.{}", rng.number(), rng.number(), rng.number());
        }
    }
    match rng.below(6) {
        // Pseudo-versions of the three shapes Go writes.
        0 => {
            let _ = write!(
                v,
                "-{}{:010}-{:012x}",
                rng.word(&["", "0.", "pre.0."]),
                2_019_110_902_u64 + rng.next() % 100_000,
                rng.next() % 0xffff_ffff_ffff
            );
        }
        1 | 2 => {
            let n = 1 + rng.below(3);
            let ids: Vec<String> = (0..n).map(|_| identifier(rng)).collect();
            v.push('-');
            v.push_str(&ids.join("."));
        }
        _ => {}
    }
    if rng.chance(15) {
        v.push('+');
        v.push_str(rng.word(&["incompatible", "build.1", "meta"]));
    }
    v
}

#[test]
fn agrees_with_x_mod_semver_on_generated_pairs() {
    let oracle = oracle();
    let mut rng = Rng::new(0x0060_1a4e);
    let pairs = pairs_from_pool(&mut rng, 400, 8000, "0123456789.-+vabrc", generate);
    let lines = run_batch(&oracle, &[], &pair_lines(&pairs), INSTALL);
    assert_eq!(
        lines.len(),
        pairs.len(),
        "x/mod/semver answered {} lines",
        lines.len()
    );
    let (mut less, mut equal, mut greater, mut invalid) = (0, 0, 0, 0);
    let mut mismatches = Vec::new();
    for ((a, b), line) in pairs.iter().zip(&lines) {
        let theirs = Verdict::parse(line).unwrap_or_else(|| panic!("x/mod/semver answered {line:?}"));
        let Verdict::Order(order) = theirs else {
            invalid += 1;
            continue;
        };
        match order {
            Ordering::Less => less += 1,
            Ordering::Equal => equal += 1,
            Ordering::Greater => greater += 1,
        }
        let ours = compare(Scheme::Go, a, b);
        if ours != Some(order) {
            mismatches.push(format!("  {a:?} vs {b:?}: ours {ours:?}, x/mod/semver {order:?}"));
        }
    }
    eprintln!(
        "x/mod/semver: {} pairs: {less} <, {equal} =, {greater} >, {invalid} invalid",
        pairs.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} pairs disagree with x/mod/semver:\n{}",
        mismatches.len(),
        mismatches.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        less > 1000 && greater > 1000 && equal > 100,
        "pairs not varied enough"
    );
}
