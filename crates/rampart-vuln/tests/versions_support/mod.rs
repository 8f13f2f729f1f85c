//! Shared pieces of the version-ordering tests: a seeded generator of version strings,
//! running a reference implementation once over a batch of pairs, and reporting
//! disagreements.

#![allow(dead_code)]

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rampart_vuln::version::{Scheme, compare};

/// A small deterministic generator (SplitMix64), so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn word<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A small number, mostly single digits, sometimes with a leading zero or large.
    pub fn number(&mut self) -> String {
        match self.below(20) {
            0 => format!("0{}", self.below(10)),
            1 => format!("{}", self.below(100_000)),
            2 => format!("{}", 20_000_000 + self.below(10_000_000)),
            3..=6 => format!("{}", self.below(30)),
            _ => format!("{}", self.below(4)),
        }
    }

    /// `n` dot-separated numbers.
    pub fn dotted(&mut self, min: usize, max: usize) -> String {
        let count = min + self.below(max - min + 1);
        (0..count).map(|_| self.number()).collect::<Vec<_>>().join(".")
    }

    /// A small edit of `s` with characters from `alphabet`: replace, insert, delete or
    /// duplicate one character, or append a piece. Usually keeps the string close to a
    /// valid version, sometimes breaks it.
    pub fn mutate(&mut self, s: &str, alphabet: &str) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        let alphabet: Vec<char> = alphabet.chars().collect();
        let at = if chars.is_empty() {
            0
        } else {
            self.below(chars.len())
        };
        match self.below(5) {
            0 if !chars.is_empty() => chars[at] = *self.pick(&alphabet),
            1 => chars.insert(at, *self.pick(&alphabet)),
            2 if !chars.is_empty() => {
                chars.remove(at);
            }
            3 if !chars.is_empty() => chars.insert(at, chars[at]),
            _ => {
                let extra = *self.pick(&alphabet);
                chars.push(extra);
                if self.chance(50) {
                    chars.push(*self.pick(&['0', '1', '2', '9']));
                }
            }
        }
        chars.into_iter().collect()
    }
}

/// Builds a pool of versions (`count` generated ones and as many close variants of
/// them) and draws `pairs` pairs from it, plus every version against itself.
pub fn pairs_from_pool(
    rng: &mut Rng,
    count: usize,
    pairs: usize,
    alphabet: &str,
    mut generate: impl FnMut(&mut Rng) -> String,
) -> Vec<(String, String)> {
    let mut pool: Vec<String> = (0..count).map(|_| generate(rng)).collect();
    for i in 0..count {
        let base = pool[i].clone();
        let variant = rng.mutate(&base, alphabet);
        pool.push(variant);
    }
    pool.retain(|v| !v.contains(['\t', '\n', '\r']));
    let mut out: Vec<(String, String)> = pool.iter().map(|v| (v.clone(), v.clone())).collect();
    for _ in 0..pairs {
        let a = rng.pick(&pool).clone();
        // Half of the pairs are a version and a close variant of it.
        let b = if rng.chance(50) {
            rng.mutate(&a, alphabet)
        } else {
            rng.pick(&pool).clone()
        };
        if !b.contains(['\t', '\n', '\r']) {
            out.push((a, b));
        }
    }
    out
}

/// What a reference implementation said about one pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Order(Ordering),
    Invalid,
}

impl Verdict {
    pub fn parse(line: &str) -> Option<Self> {
        Some(match line.trim() {
            "<" | "-1" => Self::Order(Ordering::Less),
            "=" | "0" => Self::Order(Ordering::Equal),
            ">" | "1" => Self::Order(Ordering::Greater),
            "invalid" => Self::Invalid,
            _ => return None,
        })
    }

    pub fn of(ours: Option<Ordering>) -> Self {
        ours.map_or(Self::Invalid, Self::Order)
    }
}

/// The first of `candidates` that runs `args` successfully.
pub fn first_working(candidates: &[&str], args: &[&str]) -> Option<PathBuf> {
    candidates.iter().filter_map(|c| find_program(c)).find(|program| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Finds an executable on PATH (or at an absolute path).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    if path.is_absolute() {
        return path.is_file().then(|| path.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Finds a program the test needs, or fails naming what to install.
pub fn require_program(name: &str, install: &str) -> PathBuf {
    find_program(name).unwrap_or_else(|| {
        panic!("`{name}` is needed as the reference implementation for this test: install {install}")
    })
}

/// Runs `program args...` once, feeding it `input`, and returns its output lines.
pub fn run_batch(program: &Path, args: &[&str], input: &str, install: &str) -> Vec<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e} (install {install})", program.display()));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("the reference process runs");
    writer.join().expect("the writer thread ends");
    assert!(
        output.status.success(),
        "{} failed ({}); install {install}\n{}",
        program.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Tab-separated pairs, one a line.
pub fn pair_lines(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (a, b) in pairs {
        out.push_str(a);
        out.push('\t');
        out.push_str(b);
        out.push('\n');
    }
    out
}

/// Compares our verdicts with the reference's and fails listing the disagreements.
/// `skip_invalid` ignores pairs we reject (for references that accept any string).
pub fn assert_agrees(scheme: Scheme, oracle: &str, pairs: &[(String, String)], lines: &[String]) -> Summary {
    assert_eq!(
        lines.len(),
        pairs.len(),
        "{oracle} answered {} lines for {} pairs",
        lines.len(),
        pairs.len()
    );
    let mut summary = Summary::default();
    let mut mismatches = Vec::new();
    for ((a, b), line) in pairs.iter().zip(lines) {
        let theirs = Verdict::parse(line).unwrap_or_else(|| panic!("{oracle} answered {line:?}"));
        let ours = Verdict::of(compare(scheme, a, b));
        summary.count(theirs);
        if ours != theirs {
            mismatches.push(format!("  {a:?} vs {b:?}: ours {ours:?}, {oracle} {theirs:?}"));
        }
    }
    eprintln!("{oracle}: {} pairs, {summary:?}", pairs.len());
    assert!(
        mismatches.is_empty(),
        "{} of {} pairs disagree with {oracle}:\n{}",
        mismatches.len(),
        pairs.len(),
        mismatches.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    summary
}

/// How many pairs of each verdict a run covered.
#[derive(Debug, Default)]
pub struct Summary {
    pub less: usize,
    pub equal: usize,
    pub greater: usize,
    pub invalid: usize,
}

impl Summary {
    fn count(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Order(Ordering::Less) => self.less += 1,
            Verdict::Order(Ordering::Equal) => self.equal += 1,
            Verdict::Order(Ordering::Greater) => self.greater += 1,
            Verdict::Invalid => self.invalid += 1,
        }
    }

    /// Fails unless the run covered every kind of answer (a generator that only ever
    /// produced equal or invalid pairs would prove little).
    pub fn assert_varied(&self, min_invalid: usize) {
        assert!(
            self.less > 100 && self.greater > 100 && self.equal > 20 && self.invalid >= min_invalid,
            "the generated pairs are not varied enough: {self:?}"
        );
    }
}

/// Checks a table of `a op b` expectations (`<`, `=`, `>`, in both directions), and
/// `! a` lines for strings that are not versions (compared with `valid`, a version).
pub fn check_table(scheme: Scheme, valid: &str, table: &str) {
    assert!(compare(scheme, valid, valid).is_some(), "{valid:?} must be valid");
    let mut failures = Vec::new();
    for (n, line) in table.lines().enumerate() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (a, op, b) = match fields.as_slice() {
            ["!", a] => {
                if compare(scheme, a, valid).is_some() || compare(scheme, valid, a).is_some() {
                    failures.push(format!("line {}: {a:?} should not be a version", n + 1));
                }
                continue;
            }
            [a, op, b] => (*a, *op, *b),
            _ => panic!("line {}: malformed table line {line:?}", n + 1),
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("line {}: unknown operator {op:?}", n + 1),
        };
        let got = compare(scheme, a, b);
        let back = compare(scheme, b, a);
        if got != Some(want) || back != Some(want.reverse()) {
            failures.push(format!(
                "line {}: {a} {op} {b}: got {got:?}, reversed {back:?}",
                n + 1
            ));
        }
    }
    assert!(failures.is_empty(), "{scheme:?} table:\n{}", failures.join("\n"));
}
