//! npm packages installed by `npm install` (from the npm registry) into a test root: the
//! packages found must be exactly the tree `npm ls --all --json` reports, nested copies
//! included, and the `package.json` files packages ship besides their own are ignored.

mod lang_support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use lang_support::{cache_dir, catalog, find, once, require, run, write};
use rampart_image::catalogers::node::Node;

fn npm_root() -> PathBuf {
    static BUILT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    require("npm", "apt-get install npm");
    let dir = cache_dir("node-v1");
    once(&dir, |dir| {
        // debug@2 needs ms@2.0.0 while the app wants ms@2.1.3: npm nests one copy.
        run(Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(dir.join("srv/app"))
            .args(["ms@2.1.3", "debug@2.6.9", "@sindresorhus/is@4.6.0", "once@1.4.0"]));
    });
    dir
}

/// `(name, version)` of every package in `npm ls --all --json`.
fn npm_ls(app: &std::path::Path) -> BTreeSet<(String, String)> {
    fn walk(deps: &serde_json::Value, out: &mut BTreeSet<(String, String)>) {
        let Some(deps) = deps.as_object() else { return };
        for (name, d) in deps {
            if let Some(v) = d["version"].as_str() {
                out.insert((name.clone(), v.to_string()));
            }
            walk(&d["dependencies"], out);
        }
    }
    let json = run(Command::new("npm")
        .args(["ls", "--all", "--json", "--prefix"])
        .arg(app));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut out = BTreeSet::new();
    walk(&v["dependencies"], &mut out);
    out
}

#[test]
fn installed_packages_match_npm_ls() {
    let root = npm_root();
    let app = root.join("srv/app");
    // Files real packages carry that are not packages of their own.
    write(
        &app.join("node_modules/debug/test/fixtures/package.json"),
        r#"{"name": "fixture", "version": "0.0.1"}"#,
    );
    write(
        &app.join("node_modules/ms/lib/package.json"),
        r#"{"type": "commonjs"}"#,
    );
    let inv = catalog(Node, &root);
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    let expected = npm_ls(&app);
    assert!(expected.contains(&("ms".into(), "2.0.0".into())), "{expected:?}");
    assert!(expected.contains(&("ms".into(), "2.1.3".into())), "{expected:?}");
    let found: BTreeSet<_> = inv
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    assert_eq!(found, expected);

    let nested = inv.packages.iter().find(|p| p.version == "2.0.0").unwrap();
    assert_eq!(
        nested.locations[0].path,
        "/srv/app/node_modules/debug/node_modules/ms/package.json"
    );
    let is = find(&inv, "@sindresorhus/is");
    assert_eq!(is.purl, "pkg:npm/%40sindresorhus/is@4.6.0");
    assert_eq!(is.licenses, ["MIT"]);
    assert_eq!(find(&inv, "once").licenses, ["ISC"]);
}

#[test]
fn a_broken_manifest_is_a_warning_naming_it() {
    let root = tempfile::tempdir().unwrap();
    write(
        &root.path().join("app/node_modules/bad/package.json"),
        "{\"name\": \"bad\", \"version\": ",
    );
    write(
        &root.path().join("app/node_modules/noversion/package.json"),
        "{\"name\": \"noversion\"}",
    );
    write(
        &root.path().join("app/node_modules/@types/node/package.json"),
        r#"{"name": "@types/node", "version": "20.1.0", "licenses": [{"type": "MIT"}]}"#,
    );
    let inv = catalog(Node, root.path());
    assert_eq!(inv.packages.len(), 1);
    assert_eq!(inv.packages[0].licenses, ["MIT"]);
    assert_eq!(inv.warnings.len(), 1, "{:#?}", inv.warnings);
    assert_eq!(
        inv.warnings[0].path.as_deref(),
        Some("/app/node_modules/bad/package.json")
    );
    assert!(
        inv.warnings[0].message.contains("invalid JSON"),
        "{}",
        inv.warnings[0].message
    );
}
