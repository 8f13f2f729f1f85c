//! SemVer ordering against node-semver (npm package `semver`, installed by this test
//! into the cargo target directory when missing), on thousands of generated pairs in
//! one node process. Versions go through `semver.clean()` first, whose prefix handling
//! the comparator documents.

mod versions_support;

use std::path::Path;
use std::process::Command;

use rampart_vuln::version::Scheme;
use versions_support::{
    Rng, assert_agrees, check_table, pair_lines, pairs_from_pool, require_program, run_batch,
};

const INSTALL: &str =
    "node and npm (Debian packages `nodejs` and `npm`); the test runs `npm install semver@7` itself";

const ORACLE: &str = r#"
const semver = require(process.argv[1]);
const out = [];
for (const line of require("fs").readFileSync(0, "utf8").split("\n")) {
  if (!line.includes("\t")) continue;
  const [a, b] = line.split("\t");
  const x = semver.clean(a), y = semver.clean(b);
  out.push(x === null || y === null ? "invalid" : String(semver.compare(x, y)));
}
console.log(out.join("\n"));
"#;

/// The directory of the `semver` package, installed under the target directory.
fn semver_module() -> String {
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("node-semver");
    let module = prefix.join("node_modules").join("semver");
    if !module.join("package.json").is_file() {
        let npm = require_program("npm", INSTALL);
        let status = Command::new(npm)
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&prefix)
            .arg("semver@7")
            .status()
            .unwrap_or_else(|e| panic!("cannot run npm: {e}; install {INSTALL}"));
        assert!(
            status.success(),
            "`npm install semver@7` failed; install {INSTALL}"
        );
    }
    module.to_string_lossy().into_owned()
}

fn identifier(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng.number(),
        1 => format!("{}", rng.below(3)),
        2 => rng
            .word(&[
                "alpha", "beta", "rc", "x", "Alpha", "RC", "pre", "a-b", "-", "0a", "dev",
            ])
            .to_owned(),
        3 => format!("{}{}", rng.word(&["rc", "beta", "x"]), rng.below(12)),
        _ => rng.word(&["0", "1", "2", "11", "alpha", "beta"]).to_owned(),
    }
}

fn generate(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(8) {
        v.push_str(rng.word(&["v", "=", "=v", "v=", "vv", " v", "= "]));
    }
    v.push_str(&format!("{}.{}.{}", rng.number(), rng.number(), rng.number()));
    if rng.chance(45) {
        v.push('-');
        let n = 1 + rng.below(3);
        let ids: Vec<String> = (0..n).map(|_| identifier(rng)).collect();
        v.push_str(&ids.join("."));
    }
    if rng.chance(15) {
        v.push('+');
        v.push_str(rng.word(&["build.1", "sha.5114f85", "001", "exp.sha-1", "20130313144700"]));
    }
    v
}

#[test]
fn agrees_with_node_semver_on_generated_pairs() {
    let node = require_program("node", INSTALL);
    let module = semver_module();
    let mut rng = Rng::new(0x5e3e4);
    let mut pairs = pairs_from_pool(&mut rng, 400, 8000, "0123456789.-+abrxvA=", generate);
    let long = format!("1.2.3-{}", "a".repeat(250));
    pairs.push((long.clone(), "1.2.3".to_owned()));
    pairs.push((
        "9007199254740991.0.0".to_owned(),
        "9007199254740992.0.0".to_owned(),
    ));
    let lines = run_batch(&node, &["-e", ORACLE, &module], &pair_lines(&pairs), INSTALL);
    let summary = assert_agrees(Scheme::Semver, "node-semver", &pairs, &lines);
    summary.assert_varied(50);
}

#[test]
fn spelled_out_rules() {
    check_table(
        Scheme::Semver,
        "1.0.0",
        "
        1.0.0-alpha < 1.0.0-alpha.1
        1.0.0-alpha.1 < 1.0.0-alpha.beta
        1.0.0-alpha.beta < 1.0.0-beta
        1.0.0-beta < 1.0.0-beta.2
        1.0.0-beta.2 < 1.0.0-beta.11
        1.0.0-beta.11 < 1.0.0-rc.1
        1.0.0-rc.1 < 1.0.0
        1.0.0-RC.1 < 1.0.0-rc.1   # ASCII: upper case first
        1.0.0-9 < 1.0.0-a
        1.0.0-a1 < 1.0.0-a10
        1.0.0+build.2 = 1.0.0+build.1
        v1.2.3 = 1.2.3
        =v1.2.3 = 1.2.3
        1.2.3 < 1.2.10
        1.10.0 > 1.9.9
        9007199254740991.0.0 > 1.0.0
        ! 1.2
        ! 1.2.3.4
        ! 01.2.3
        ! 1.2.3-01
        ! 1.2.3-
        ! 1.2.3+
        ! 1.2.3-a..b
        ! 1.2.3beta
        ! 9007199254740992.0.0
        ",
    );
}
