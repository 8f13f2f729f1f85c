//! RPM ordering against rpm's own `labelCompare` and EVR parser (`rpm.ver`) through the
//! Python bindings (Debian package `python3-rpm`, for the system `/usr/bin/python3`), on
//! thousands of generated pairs in one Python process.
//!
//! rpm accepts any string, so validity is not compared: pairs with a string the
//! comparator rejects (an empty version or release, a stray `:`) are left out, and the
//! test checks that these are few.

mod versions_support;

use rampart_vuln::version::{Scheme, compare};
use versions_support::{
    Rng, assert_agrees, check_table, first_working, pair_lines, pairs_from_pool, run_batch,
};

const INSTALL: &str = "the Debian package `python3-rpm` (for /usr/bin/python3)";

const ORACLE: &str = r#"
import sys, rpm

def evr(s):
    v = rpm.ver(s)
    return (v.e, v.v, v.r)

out = []
for line in sys.stdin.read().split("\n"):
    if "\t" not in line:
        continue
    a, b = line.split("\t")
    out.append(str(rpm.labelCompare(evr(a), evr(b))))
print("\n".join(out))
"#;

fn piece(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => rng
            .word(&["rc", "beta", "alpha", "git", "el", "fc", "a", "b", "Z"])
            .to_owned(),
        1 => format!("{}{}", rng.word(&["rc", "el", "git", "p"]), rng.number()),
        _ => rng.number(),
    }
}

fn part(rng: &mut Rng) -> String {
    let mut s = rng.number();
    for _ in 0..rng.below(4) {
        s.push_str(rng.word(&[".", ".", ".", "_", "+", "~", "^", "", "%"]));
        s.push_str(&piece(rng));
    }
    s
}

fn generate(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(15) {
        v.push_str(&format!("{}:", rng.below(3)));
    }
    v.push_str(&part(rng));
    if rng.chance(80) {
        v.push('-');
        v.push_str(&match rng.below(4) {
            0 => format!("{}.el{}", rng.below(4), rng.below(10)),
            1 => format!("{}.el9_{}.{}", rng.below(4), rng.below(4), rng.below(3)),
            2 => format!("150400.{}.{}", rng.below(5), rng.below(5)),
            _ => part(rng),
        });
    }
    v
}

#[test]
fn agrees_with_rpm_label_compare_on_generated_pairs() {
    let python = first_working(&["/usr/bin/python3"], &["-c", "import rpm"])
        .unwrap_or_else(|| panic!("/usr/bin/python3 cannot import rpm: install {INSTALL}"));
    let mut rng = Rng::new(0x4e9);
    let generated = pairs_from_pool(&mut rng, 400, 8000, "0123456789.-~^_+:abcegilrtZ", generate);
    let total = generated.len();
    let pairs: Vec<(String, String)> = generated
        .into_iter()
        .filter(|(a, b)| compare(Scheme::Rpm, a, b).is_some())
        .collect();
    assert!(
        pairs.len() * 10 > total * 9,
        "too many generated versions rejected: {} of {total} pairs kept",
        pairs.len()
    );
    let lines = run_batch(&python, &["-c", ORACLE], &pair_lines(&pairs), INSTALL);
    let summary = assert_agrees(Scheme::Rpm, "rpm.labelCompare", &pairs, &lines);
    summary.assert_varied(0);
}

#[test]
fn spelled_out_rules() {
    check_table(
        Scheme::Rpm,
        "1.0-1",
        "
        1.0-1 < 1.0-2
        1.0-1.el9 < 1.0-1.el9_1
        1.0-1.el9 = 1.0-1_el9     # separators only separate
        1.0-2 < 1.0-10.a          # numbers by value
        1.0~rc1-1 < 1.0-1
        1.0~rc1 < 1.0~rc2
        1.0~~ < 1.0~
        1.0 < 1.0^git1
        1.0^git1 < 1.0.1
        1.0^ > 1.0
        1.0a < 1.0.1              # numbers are newer than letters
        1.0a > 1.0
        1.01 = 1.1
        10a < 10.0
        0:1.0-1 = 1.0-1
        1:1.0-1 > 9.9-9
        1.0 < 1.0-0               # a missing release sorts first
        A < a
        ! 1.0-
        ! -1
        ! a:1.0
        ! 1:2:3
        ",
    );
}
