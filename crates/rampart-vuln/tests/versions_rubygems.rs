//! RubyGems ordering against `Gem::Version` (Debian package `ruby`), on thousands of
//! generated pairs in one Ruby process.

mod versions_support;

use rampart_vuln::version::Scheme;
use versions_support::{
    Rng, assert_agrees, check_table, pair_lines, pairs_from_pool, require_program, run_batch,
};

const INSTALL: &str = "Ruby (Debian package `ruby`)";

/// Blank strings are `0` to Gem::Version; the comparator rejects them, so does this.
const ORACLE: &str = r#"
out = []
STDIN.read.split("\n").each do |line|
  next unless line.include?("\t")
  a, b = line.split("\t", 2)
  if [a, b].all? { |s| !s.strip.empty? && Gem::Version.correct?(s) }
    out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
  else
    out << "invalid"
  end
end
puts out.join("\n")
"#;

fn generate(rng: &mut Rng) -> String {
    let mut v = rng.dotted(1, 4);
    if rng.chance(35) {
        let sep = rng.word(&[".", ".", "", "-"]);
        v.push_str(sep);
        v.push_str(rng.word(&["pre", "rc", "beta", "alpha", "a", "b", "RC", "dev", "x"]));
        if rng.chance(60) {
            v.push_str(rng.word(&["", "."]));
            v.push_str(&rng.number());
        }
    }
    if rng.chance(10) {
        v.push_str(rng.word(&[".0", ".0.0", ".a.0", "-1", "-x-y"]));
    }
    if rng.chance(4) {
        v = format!(" {v}\n");
    }
    v
}

#[test]
fn agrees_with_gem_version_on_generated_pairs() {
    let ruby = require_program("ruby", INSTALL);
    let mut rng = Rng::new(0x6e3);
    let pairs = pairs_from_pool(&mut rng, 400, 8000, "0123456789.-abeprzA_", generate);
    let lines = run_batch(&ruby, &["-e", ORACLE], &pair_lines(&pairs), INSTALL);
    let summary = assert_agrees(Scheme::RubyGems, "Gem::Version", &pairs, &lines);
    summary.assert_varied(50);
}

#[test]
fn spelled_out_rules() {
    check_table(
        Scheme::RubyGems,
        "1.0",
        "
        1.0 = 1
        1.0.0.0 = 1
        1.0.a < 1.0
        1.0.a < 1.0.b
        1.0.a10 > 1.0.a9
        1.0.a.0 = 1.0.a
        1.0.0.a = 1.a   # zeros before the first word are trailing zeros of the numeric part
        1.0-beta = 1.0.pre.beta
        1.0.rc1 > 1.0.beta2
        1.0.A < 1.0.a   # bytes: upper case first
        1.0.1 > 1.0.z
        2.0.0.pre > 1.9.9
        1.0.10 > 1.0.9
        ! 1.0.
        ! .1
        ! a1
        ! 1..0
        ! 1.0-
        ! 1_0
        ",
    );
}
