//! Maven ordering against `org.apache.maven.artifact.versioning.ComparableVersion` from
//! Debian's `libmaven3-core-java` (maven-artifact 3.8), run by a small Java program in
//! one JVM (Debian's `default-jre-headless`, whose `java` runs a source file directly),
//! on thousands of generated pairs.
//!
//! Maven accepts any string, so validity is not compared; the generated strings are
//! ones the comparator accepts too (non-empty printable ASCII), and the test checks that.

mod versions_support;

use std::path::{Path, PathBuf};

use rampart_vuln::version::{Scheme, compare};
use versions_support::{
    Rng, assert_agrees, check_table, pair_lines, pairs_from_pool, require_program, run_batch,
};

const INSTALL: &str = "the Debian packages `libmaven3-core-java` and `default-jre-headless`";

const ORACLE: &str = r"
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenOracle {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            if (tab < 0) continue;
            ComparableVersion a = new ComparableVersion(line.substring(0, tab));
            ComparableVersion b = new ComparableVersion(line.substring(tab + 1));
            out.append(Integer.signum(a.compareTo(b))).append('\n');
        }
        System.out.print(out);
    }
}
";

fn maven_artifact_jar() -> PathBuf {
    [
        "maven3-artifact.jar",
        "maven-artifact-3.x.jar",
        "maven-artifact.jar",
    ]
    .iter()
    .map(|name| Path::new("/usr/share/java").join(name))
    .find(|path| path.is_file())
    .unwrap_or_else(|| panic!("maven-artifact's jar is not in /usr/share/java: install {INSTALL}"))
}

fn generate(rng: &mut Rng) -> String {
    let mut v = rng.dotted(1, 4);
    for _ in 0..rng.below(3) {
        v.push_str(rng.word(&["-", "-", ".", ""]));
        let piece = match rng.below(5) {
            0 => rng.number(),
            1 => format!(
                "{}{}",
                rng.word(&["a", "b", "m", "rc", "cr", "alpha", "beta", "milestone"]),
                rng.number()
            ),
            _ => rng
                .word(&[
                    "SNAPSHOT",
                    "alpha",
                    "beta",
                    "milestone",
                    "rc",
                    "cr",
                    "ga",
                    "final",
                    "release",
                    "sp",
                    "Final",
                    "RELEASE",
                    "GA",
                    "foo",
                    "bar",
                    "a",
                    "b",
                    "m",
                    "jre",
                    "android",
                    "redhat-00001",
                    "",
                ])
                .to_owned(),
        };
        v.push_str(&piece);
    }
    if rng.chance(5) {
        v.push_str(rng.word(&[".0", "-0", ".", "-", "..", "0000000000", ".12345678901234567890"]));
    }
    v
}

#[test]
fn agrees_with_comparable_version_on_generated_pairs() {
    let java = require_program("java", INSTALL);
    let jar = maven_artifact_jar();
    let source = Path::new(env!("CARGO_TARGET_TMPDIR")).join("MavenOracle.java");
    std::fs::write(&source, ORACLE).expect("the oracle source is written");
    let mut rng = Rng::new(0x0003_a7e9);
    let generated = pairs_from_pool(&mut rng, 400, 8000, "0123456789.-abcfgilmnoprstABS", generate);
    let total = generated.len();
    // Only an edit that deletes a whole one-character version makes one we reject.
    let pairs: Vec<(String, String)> = generated
        .into_iter()
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .collect();
    assert!(pairs.len() * 10 > total * 9, "too many empty versions generated");
    assert!(
        pairs.iter().all(|(a, b)| compare(Scheme::Maven, a, b).is_some()),
        "the comparator rejected a generated version"
    );
    let jar = jar.to_string_lossy().into_owned();
    let source = source.to_string_lossy().into_owned();
    let lines = run_batch(&java, &["-cp", &jar, &source], &pair_lines(&pairs), INSTALL);
    let summary = assert_agrees(Scheme::Maven, "ComparableVersion", &pairs, &lines);
    summary.assert_varied(0);
}

#[test]
fn spelled_out_rules() {
    check_table(
        Scheme::Maven,
        "1.0",
        "
        1 = 1.0
        1 = 1.0.0-final
        1 = 1-ga
        1 = 1.release
        1.0-alpha1 = 1.0a1
        1.0-alpha-1 = 1.0-alpha1
        1.0-b2 = 1.0-beta-2
        1.0-m3 = 1.0-milestone-3
        1.0-cr1 = 1.0-rc1
        1.0-alpha < 1.0-beta
        1.0-beta < 1.0-milestone
        1.0-milestone < 1.0-rc
        1.0-rc < 1.0-snapshot
        1.0-SNAPSHOT < 1.0
        1.0 < 1.0-sp
        1.0-sp < 1.0-foo          # unknown qualifiers after all known ones
        1.0-bar < 1.0-foo
        1.0-foo < 1.0-1           # a list is newer than a word
        1.0-1 < 1.0.1             # a number is newer than a list
        1.0.1 > 1.0-sp
        1-0.1 < 1.0.1
        1.0a < 1.0.0b             # a and b not before a digit are plain words
        1.0-9 < 1.0-10
        1.0.999999999 < 1.0.1000000000
        1.0.0000000000 = 1.0      # ten zeros: a zero long item, still dropped at the end
        1.0000000000.1 > 1.0.2    # but a long item outranks any int item
        1.12345678901234567890 > 1.123456789012345678
        1..1 = 1.0.1
        1-SNAPSHOT = 1-snapshot
        ! 1.0é
        ",
    );
}
