//! Composer's `vendor/composer/installed.json` in both of its formats (committed
//! fixtures: Composer 2's object and Composer 1's array), and broken files.

mod lang_support;

use std::path::Path;

use lang_support::{catalog, find, write};
use rampart_image::catalogers::php::Php;

#[test]
fn composer_one_and_two_formats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/php");
    let inv = catalog(Php, &root);
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    let mut found: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.locations[0].path.as_str(), p.name.as_str(), p.version.as_str()))
        .collect();
    found.sort_unstable();
    let v1 = "/srv/legacy/vendor/composer/installed.json";
    let v2 = "/var/www/v2/vendor/composer/installed.json";
    assert_eq!(
        found,
        [
            (v1, "guzzlehttp/guzzle", "6.5.8"),
            (v1, "local/no-licence", "dev-main"),
            (v1, "twig/twig", "v1.44.7"),
            (v2, "doctrine/instantiator", "2.0.0"),
            (v2, "monolog/monolog", "3.5.0"),
            (v2, "psr/log", "3.0.0"),
            (v2, "symfony/polyfill-mbstring", "v1.28.0"),
        ]
    );
    assert_eq!(
        find(&inv, "monolog/monolog").purl,
        "pkg:composer/monolog/monolog@3.5.0"
    );
    assert_eq!(
        find(&inv, "doctrine/instantiator").licenses,
        ["MIT", "Apache-2.0"]
    );
    assert!(find(&inv, "local/no-licence").licenses.is_empty());
}

#[test]
fn broken_installed_json_is_a_warning_naming_it() {
    let root = tempfile::tempdir().unwrap();
    write(
        &root.path().join("a/vendor/composer/installed.json"),
        "{\"packages\": [",
    );
    write(
        &root.path().join("b/vendor/composer/installed.json"),
        "\"packages\"",
    );
    write(
        &root.path().join("c/vendor/composer/installed.json"),
        "{\"dev\": true}",
    );
    let inv = catalog(Php, root.path());
    assert!(inv.packages.is_empty());
    let paths: Vec<_> = inv.warnings.iter().map(|w| w.path.as_deref().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "/a/vendor/composer/installed.json",
            "/b/vendor/composer/installed.json",
            "/c/vendor/composer/installed.json"
        ]
    );
    assert!(
        inv.warnings[0].message.contains("invalid JSON"),
        "{}",
        inv.warnings[0].message
    );
}
