//! PEP 440 ordering against Python's `packaging.version.Version` (pip package
//! `packaging`), on thousands of generated pairs in one Python process.

mod versions_support;

use rampart_vuln::version::Scheme;
use versions_support::{
    Rng, assert_agrees, check_table, first_working, pair_lines, pairs_from_pool, run_batch,
};

const INSTALL: &str = "the pip package `packaging` (`python3 -m pip install packaging`)";

const ORACLE: &str = r#"
import sys
from packaging.version import Version, InvalidVersion

def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None

out = []
for line in sys.stdin.read().split("\n"):
    if "\t" not in line:
        continue
    a, b = line.split("\t")
    x, y = parse(a), parse(b)
    if x is None or y is None:
        out.append("invalid")
    else:
        out.append("<" if x < y else ">" if x > y else "=")
print("\n".join(out))
"#;

fn generate(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(5) {
        v.push(*rng.pick(&['v', 'V']));
    }
    if rng.chance(8) {
        v.push_str(&format!("{}!", rng.below(3)));
    }
    v.push_str(&rng.dotted(1, 4));
    let sep = |rng: &mut Rng| (rng.word(&["", "", ".", "-", "_"])).to_owned();
    if rng.chance(35) {
        let label = rng.word(&[
            "a", "b", "rc", "alpha", "beta", "c", "pre", "preview", "RC", "Alpha",
        ]);
        v.push_str(&sep(rng));
        v.push_str(label);
        if rng.chance(80) {
            v.push_str(&sep(rng));
            v.push_str(&rng.number());
        }
    }
    if rng.chance(25) {
        if rng.chance(25) {
            v.push_str(&format!("-{}", rng.below(5)));
        } else {
            v.push_str(&sep(rng));
            v.push_str(rng.word(&["post", "rev", "r", "POST"]));
            if rng.chance(80) {
                v.push_str(&sep(rng));
                v.push_str(&rng.number());
            }
        }
    }
    if rng.chance(25) {
        v.push_str(&sep(rng));
        v.push_str(rng.word(&["dev", "DEV"]));
        if rng.chance(80) {
            v.push_str(&sep(rng));
            v.push_str(&rng.number());
        }
    }
    if rng.chance(15) {
        v.push('+');
        let segments = 1 + rng.below(3);
        for i in 0..segments {
            if i > 0 {
                v.push(*rng.pick(&['.', '-', '_']));
            }
            v.push_str(rng.word(&["ubuntu", "1", "cpu", "cu118", "abc", "02", "Z"]));
        }
    }
    if rng.chance(3) {
        v = format!(" {v} ");
    }
    v
}

#[test]
fn agrees_with_packaging_on_generated_pairs() {
    let python = first_working(
        &["python3", "/usr/bin/python3"],
        &["-c", "import packaging.version"],
    )
    .unwrap_or_else(|| panic!("no python3 can import packaging: install {INSTALL}"));
    let mut rng = Rng::new(0x9e9440);
    let pairs = pairs_from_pool(&mut rng, 400, 8000, "0123456789.-_+!abcdeilmnoprstvwA", generate);
    let lines = run_batch(&python, &["-c", ORACLE], &pair_lines(&pairs), INSTALL);
    let summary = assert_agrees(Scheme::Pep440, "packaging", &pairs, &lines);
    summary.assert_varied(50);
}

#[test]
fn spelled_out_rules() {
    check_table(
        Scheme::Pep440,
        "1.0",
        "
        1.0 = 1.0.0
        1.0.dev0 < 1.0a0          # a dev-only version precedes the pre-releases
        1.0a1 < 1.0a2.dev1 # dev of a later pre-release
        1.0a2.dev1 < 1.0a2
        1.0a2 < 1.0b1
        1.0b1 < 1.0rc1
        1.0rc1 = 1.0c1
        1.0rc1 = 1.0-PREVIEW-1
        1.0rc1 < 1.0
        1.0 < 1.0.post0.dev1
        1.0.post0.dev1 < 1.0.post0
        1.0-1 = 1.0.post1
        1.0.post1 = 1.0-r1
        1.0.post1 = 1.0_rev_1
        1.0 < 1.0+local
        1.0+abc < 1.0+1      # numeric local segments after words
        1.0+1.a < 1.0+1.a.0
        1.0+ABC = 1.0+abc
        1.0+a-b = 1.0+a.b
        1!0.1 > 99.0
        v1.0 = 1.0
        1.0.0.0.0.0.1 > 1.0
        1.00000000000000000000000001 > 1.0.99999999999999999999
        ! 1.0-
        ! 1.0+
        ! 1.0+a..b
        ! 1.0.a.b
        ! 1..0
        ! .1
        ! 1.0post1dev1post2
        ! 1.0é
        ",
    );
}
