//! Debian ordering against `dpkg --compare-versions` itself (Debian package `dpkg`).
//!
//! dpkg compares one pair per process, so the test keeps one shell running that calls
//! dpkg for each question it is sent, and asks few questions: it sorts a pool of
//! generated versions by binary insertion with dpkg as the only judge, asks dpkg which
//! neighbours are equal, and then checks the comparator on every pair of the pool
//! against that order (tens of thousands of pairs from under two thousand dpkg calls).
//! A second set of strings, many of them malformed, checks that the comparator rejects
//! exactly what dpkg rejects or warns about.

mod versions_support;

use std::fmt::Write as _;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use rampart_vuln::version::{Scheme, compare};
use versions_support::{Rng, check_table, require_program};

const INSTALL: &str = "the Debian package `dpkg`";

/// Reads an operator and two versions, one a line, and answers `0` (true), `1` (false)
/// or `invalid` when dpkg printed a warning or an error about the syntax.
const SHELL_LOOP: &str = r#"
while IFS= read -r op && IFS= read -r a && IFS= read -r b; do
  err=$(dpkg --compare-versions "$a" "$op" "$b" 2>&1 >/dev/null); rc=$?
  if [ -n "$err" ]; then echo invalid; else echo "$rc"; fi
done
"#;

struct Dpkg {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    calls: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum Answer {
    True,
    False,
    Invalid,
}

impl Dpkg {
    fn start() -> Self {
        require_program("dpkg", INSTALL);
        let sh = require_program("sh", "a POSIX shell");
        let mut child = Command::new(sh)
            .args(["-c", SHELL_LOOP])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the shell starts");
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Self {
            child,
            stdin,
            stdout,
            calls: 0,
        }
    }

    fn ask(&mut self, a: &str, op: &str, b: &str) -> Answer {
        self.calls += 1;
        writeln!(self.stdin, "{op}\n{a}\n{b}").expect("the oracle shell reads");
        self.stdin.flush().expect("the oracle shell reads");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("the oracle shell answers");
        match line.trim() {
            "0" => Answer::True,
            "1" => Answer::False,
            "invalid" => Answer::Invalid,
            other => panic!(
                "dpkg --compare-versions {a:?} {op} {b:?}: unexpected answer {other:?}; install {INSTALL}"
            ),
        }
    }

    /// `a <= b` by dpkg; fails when dpkg finds either malformed.
    fn le(&mut self, a: &str, b: &str) -> bool {
        match self.ask(a, "le", b) {
            Answer::True => true,
            Answer::False => false,
            Answer::Invalid => panic!("dpkg rejects {a:?} or {b:?}, which the comparator accepts"),
        }
    }
}

impl Drop for Dpkg {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn upstream(rng: &mut Rng) -> String {
    let mut v = rng.dotted(1, 4);
    match rng.below(10) {
        0 => {
            let _ = write!(v, "~rc{}", rng.below(3));
        }
        1 => v.push_str(rng.word(&["~beta1", "~~", "~", "~git20230101", "~dfsg"])),
        2 => v.push_str(rng.word(&["+dfsg", "+dfsg1", "+ds", "+really1.0", "+git20200101.abc", "+"])),
        3 => v.push_str(rng.word(&["a", "b", "g", "z", "A", "Z"])),
        4 => v.push_str(rng.word(&[".a", "-1-2", "+b1", "-"])),
        _ => {}
    }
    v
}

fn revision(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("{}ubuntu{}", rng.below(3), rng.below(4)),
        1 => format!(
            "{}ubuntu0.{}.04.{}",
            rng.below(3),
            20 + rng.below(5),
            rng.below(3)
        ),
        2 => format!("{}+deb{}u{}", rng.below(3), 10 + rng.below(4), rng.below(4)),
        3 => format!("{}~bpo{}+{}", rng.below(3), 10 + rng.below(3), rng.below(2)),
        4 => format!("{}build{}", rng.below(3), rng.below(3)),
        5 => format!("{}.{}", rng.below(3), rng.below(3)),
        _ => rng.number(),
    }
}

fn generate(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(15) {
        let _ = write!(v, "{}:", rng.word(&["0", "1", "2", "01", "10"]));
    }
    v.push_str(&upstream(rng));
    if rng.chance(70) {
        v.push('-');
        v.push_str(&revision(rng));
    }
    v
}

const ALPHABET: &str = "0123456789.+~-:abzAZ";

#[test]
fn agrees_with_dpkg_on_every_pair_of_a_sorted_pool() {
    let mut dpkg = Dpkg::start();
    let mut rng = Rng::new(0xde6);
    let mut pool = Vec::new();
    while pool.len() < 220 {
        let v = generate(&mut rng);
        let v = if rng.chance(30) {
            rng.mutate(&v, ALPHABET)
        } else {
            v
        };
        if compare(Scheme::Dpkg, &v, &v).is_some() {
            pool.push(v);
        }
    }
    // Equal spellings of one version.
    pool.extend(
        ["1.0-0", "1.00", "0:1.0", "1.0", "01.0-00", "1.0-"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    pool.retain(|v| compare(Scheme::Dpkg, v, v).is_some());

    let mut sorted: Vec<String> = Vec::new();
    for v in pool {
        let (mut lo, mut hi) = (0, sorted.len());
        while lo < hi {
            let mid = usize::midpoint(lo, hi);
            if dpkg.le(&sorted[mid], &v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        sorted.insert(lo, v);
    }
    // class[i]: how many strictly-greater steps lie below sorted[i].
    let mut class = vec![0usize; sorted.len()];
    for i in 1..sorted.len() {
        let equal = match dpkg.ask(&sorted[i - 1], "eq", &sorted[i]) {
            Answer::True => true,
            Answer::False => false,
            Answer::Invalid => panic!("dpkg rejected {:?} or {:?}", sorted[i - 1], sorted[i]),
        };
        class[i] = class[i - 1] + usize::from(!equal);
    }
    let mut mismatches = Vec::new();
    let mut pairs = 0;
    for i in 0..sorted.len() {
        for j in 0..sorted.len() {
            pairs += 1;
            let want = class[i].cmp(&class[j]);
            let got = compare(Scheme::Dpkg, &sorted[i], &sorted[j]);
            if got != Some(want) {
                mismatches.push(format!(
                    "  {:?} vs {:?}: ours {got:?}, dpkg {want:?}",
                    sorted[i], sorted[j]
                ));
            }
        }
    }
    let classes = class.last().map_or(0, |c| c + 1);
    eprintln!(
        "dpkg: {} versions in {classes} classes, {pairs} pairs from {} dpkg calls",
        sorted.len(),
        dpkg.calls
    );
    assert!(
        classes > 150 && classes < sorted.len(),
        "the pool is not varied enough"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {pairs} pairs disagree with dpkg:\n{}",
        mismatches.len(),
        mismatches.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn rejects_what_dpkg_rejects() {
    let mut dpkg = Dpkg::start();
    let mut rng = Rng::new(0xbad);
    let mut candidates: Vec<String> = [
        "a1.0",
        "1.0-",
        "-1",
        "1:",
        ":1.0",
        "a:1.0",
        "-1:1.0",
        "1.0_1",
        "1.0-1_1",
        "1.0-1:1",
        "1:1:1.0",
        "1.0 1",
        " 1.0",
        "1.0\t",
        "1.0-a-b",
        "1.0-~",
        "1.0!",
        "2147483647:1",
        "2147483648:1",
        "1.0-1+",
        "1.0--1",
        "~1",
        "+1",
        "1.0-$",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for _ in 0..100 {
        let v = generate(&mut rng);
        candidates.push(rng.mutate(&v, "0123456789.+~-:_a !$"));
    }
    candidates.retain(|v| !v.trim().is_empty() && !v.contains(['\n', '\r']));
    let mut mismatches = Vec::new();
    let mut rejected = 0;
    for v in &candidates {
        let theirs = dpkg.ask(v, "eq", v) != Answer::Invalid;
        let ours = compare(Scheme::Dpkg, v, v).is_some();
        rejected += usize::from(!theirs);
        if theirs != ours {
            mismatches.push(format!("  {v:?}: valid for us {ours}, for dpkg {theirs}"));
        }
    }
    assert!(rejected > 20, "too few malformed candidates: {rejected}");
    assert!(
        mismatches.is_empty(),
        "validity differs from dpkg:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn spelled_out_rules() {
    check_table(
        Scheme::Dpkg,
        "1.0",
        "
        1.0~rc1 < 1.0
        1.0~~ < 1.0~
        1.0~ < 1.0
        1.0 < 1.0a
        1.0a < 1.0+
        1.0+ < 1.0.1       # symbols by character code
        1.0 = 1.0-0
        1.0 = 1.00
        1:0.1 > 9.9
        0:1.0 = 1.0
        1.0-1 < 1.0-1ubuntu1
        1.0-1ubuntu1 < 1.0-2
        1.0-1+deb12u1 > 1.0-1
        1.0-1~bpo11+1 < 1.0-1
        1.0+dfsg-1 > 1.0-1
        1.2.3-1-1 > 1.2.3-1        # the revision is after the last hyphen
        10.0 > 9.9
        1.0.99999999999999999999 < 1.0.100000000000000000000
        1A < 1a
        ! a1.0
        ! 1.0-
        ! 1:
        ! 1.0_1
        ! 2147483648:1
        ",
    );
}
