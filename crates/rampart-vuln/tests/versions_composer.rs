//! Packagist ordering against composer/semver's `VersionParser::normalize` followed by
//! PHP's `version_compare` (Debian packages `php-cli` and `php-composer-semver`), on
//! thousands of generated pairs in one PHP process. Branch names (`dev-*`), which
//! composer never orders against versions, count as invalid on both sides.

mod versions_support;

use std::fmt::Write as _;

use rampart_vuln::version::Scheme;
use versions_support::{Rng, assert_agrees, pair_lines, pairs_from_pool, require_program, run_batch};

const INSTALL: &str = "the Debian packages `php-cli` and `php-composer-semver`";
/// Where `php-composer-semver` puts its autoloader (the oracle script requires it).
const AUTOLOAD: &str = "/usr/share/php/Composer/Semver/autoload.php";

const ORACLE: &str = r#"
require "/usr/share/php/Composer/Semver/autoload.php";
$parser = new Composer\Semver\VersionParser();
$out = [];
foreach (explode("\n", stream_get_contents(STDIN)) as $line) {
    if (strpos($line, "\t") === false) continue;
    [$a, $b] = explode("\t", $line, 2);
    try {
        $x = $parser->normalize($a);
        $y = $parser->normalize($b);
    } catch (UnexpectedValueException $e) {
        $out[] = "invalid";
        continue;
    }
    if (strpos($x, "dev-") === 0 || strpos($y, "dev-") === 0) {
        $out[] = "invalid";
        continue;
    }
    $out[] = (string) version_compare($x, $y);
}
echo implode("\n", $out), "\n";
"#;

fn generate(rng: &mut Rng) -> String {
    let mut v = String::new();
    match rng.below(12) {
        0 => {
            let _ = write!(v, "{}.{}.x-dev", rng.below(4), rng.below(4));
            return v;
        }
        1 => {
            return rng
                .word(&[
                    "dev-main",
                    "dev-master",
                    "master",
                    "1.x-dev",
                    "2.*-dev",
                    "v3.x-dev",
                ])
                .to_owned();
        }
        2 => {
            let _ = write!(
                v,
                "20{:02}{}{:02}",
                rng.below(30),
                rng.word(&["", "-", ".", ":"]),
                1 + rng.below(12)
            );
        }
        _ => {
            if rng.chance(15) {
                v.push(*rng.pick(&['v', 'V']));
            }
            v.push_str(&rng.dotted(1, 4));
        }
    }
    if rng.chance(40) {
        v.push_str(rng.word(&["", "-", ".", "_"]));
        v.push_str(rng.word(&[
            "alpha", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable", "Beta", "ALPHA", "STABLE",
        ]));
        if rng.chance(70) {
            v.push_str(rng.word(&["", ".", "-"]));
            v.push_str(&rng.number());
        }
    }
    if rng.chance(15) {
        v.push_str(rng.word(&["-dev", ".dev", "dev", "-DEV"]));
    }
    if rng.chance(10) {
        v.push_str(rng.word(&[
            "+build.1",
            "+abc",
            "@stable",
            "@dev",
            "@beta",
            " as 2.0.0",
            "#abc",
        ]));
    }
    v
}

#[test]
fn agrees_with_composer_semver_on_generated_pairs() {
    let php = require_program("php", INSTALL);
    assert!(
        std::path::Path::new(AUTOLOAD).is_file(),
        "{AUTOLOAD} is missing: install {INSTALL}"
    );
    let mut rng = Rng::new(0xc0_4905);
    let pairs = pairs_from_pool(&mut rng, 400, 8000, "0123456789.-_abcdeilprtvx", generate);
    let lines = run_batch(&php, &["-r", ORACLE], &pair_lines(&pairs), INSTALL);
    let summary = assert_agrees(Scheme::Composer, "composer/semver", &pairs, &lines);
    summary.assert_varied(50);
}
