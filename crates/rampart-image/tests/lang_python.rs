//! Python distributions installed by pip (from PyPI) into a test root, and committed
//! egg-info fixtures: names, versions and licence expressions must equal what Python's
//! own `importlib.metadata` reads from the same directories.

mod lang_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use lang_support::{cache_dir, catalog, find, found_at, once, require, run};
use rampart_image::catalogers::python::Python;
use rampart_image::fs::Warning;
use rampart_image::inventory::{Selector, inventory, read_dir};
use rampart_image::{CatalogInput, Cataloger, Catalogued, FileMeta};

const SITE: &str = "usr/local/lib/python3.11/site-packages";

/// A root with a few small pure-Python packages installed by pip.
fn pip_root() -> PathBuf {
    static BUILT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    require("python3", "apt-get install python3 python3-pip");
    let dir = cache_dir("python-v1");
    once(&dir, |dir| {
        run(Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-compile",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(dir.join(SITE))
            .args([
                "six==1.16.0",
                "idna==3.10",
                "typing_extensions==4.12.2",
                "attrs==25.1.0",
                "jaraco.functools==4.1.0",
            ]));
    });
    dir
}

/// `(name, version, License-Expression)` as importlib.metadata sees a directory.
fn importlib(dir: &Path) -> BTreeSet<(String, String, Option<String>)> {
    let script = "import importlib.metadata as m, json, sys\n\
        print(json.dumps([[d.metadata['Name'], d.version, d.metadata.get('License-Expression')] for d in m.distributions(path=[sys.argv[1]])]))";
    let out = run(Command::new("python3").args(["-c", script]).arg(dir));
    let v: Vec<(String, String, Option<String>)> = serde_json::from_str(&out).unwrap();
    v.into_iter().collect()
}

/// `(name, version, None)` of what the cataloger found, to compare with [`importlib`]
/// where no License-Expression is declared.
fn ours(inv: &rampart_image::Inventory) -> BTreeSet<(String, String, Option<String>)> {
    inv.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), None))
        .collect()
}

#[test]
fn pip_installed_distributions_match_importlib_metadata() {
    let root = pip_root();
    let inv = catalog(Python, &root);
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    let expected = importlib(&root.join(SITE));
    assert!(expected.len() >= 6, "{expected:?}");
    // Licences: compare only where the metadata has a License-Expression.
    let with_expr: BTreeSet<_> = expected.iter().filter(|e| e.2.is_some()).cloned().collect();
    assert!(
        !with_expr.is_empty(),
        "no package with a License-Expression: {expected:?}"
    );
    let names: BTreeSet<_> = expected.iter().map(|e| (e.0.clone(), e.1.clone())).collect();
    let found: BTreeSet<_> = inv
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    assert_eq!(found, names);
    for (name, version, expr) in &with_expr {
        let p = find(&inv, name);
        assert_eq!(&p.version, version);
        assert_eq!(p.licenses.first(), expr.as_ref(), "{name}");
    }

    let te = find(&inv, "typing_extensions");
    assert_eq!(te.purl, "pkg:pypi/typing-extensions@4.12.2");
    let jf = find(&inv, "jaraco.functools");
    assert_eq!(jf.purl, "pkg:pypi/jaraco-functools@4.1.0");
    assert_eq!(
        jf.locations[0].path,
        format!("/{SITE}/jaraco.functools-4.1.0.dist-info/METADATA")
    );
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/python")
}

#[test]
fn egg_info_files_and_directories_match_importlib_metadata() {
    let root = fixtures();
    let inv = catalog(Python, &root);
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    let site = root.join("usr/lib/python3/dist-packages");
    let expected = importlib(&site);
    let found: BTreeSet<_> = ours(&inv).into_iter().filter(|p| p.0 != "Plugin.Host").collect();
    assert_eq!(found, expected);
    // The egg-info file's body is not read as headers.
    assert!(
        found_at(&inv, "/usr/lib/python3/dist-packages/oldpkg-1.0.egg-info")
            .contains(&("oldpkg".into(), "1.0".into()))
    );
    assert_eq!(find(&inv, "oldpkg").licenses, ["BSD License"]);
    assert_eq!(find(&inv, "Legacy_Thing").licenses, ["Apache 2.0"]);
    assert_eq!(find(&inv, "Legacy_Thing").purl, "pkg:pypi/legacy-thing@2.3.post1");
    let egg = find(&inv, "Plugin.Host");
    assert_eq!(egg.purl, "pkg:pypi/plugin-host@0.4");
    assert_eq!(
        egg.locations[0].path,
        "/usr/lib/python3/dist-packages/Plugin.Host-0.4-py3.11.egg/EGG-INFO/PKG-INFO"
    );
}

/// Stands in for an OS package database that installed one of the distributions.
struct Owner;

impl Cataloger for Owner {
    fn id(&self) -> &'static str {
        "owner"
    }
    fn wants(&self, _: &str, _: &FileMeta) -> bool {
        false
    }
    fn catalog(&self, _: &CatalogInput<'_>) -> Catalogued {
        Catalogued {
            owned_files: vec!["/usr/lib/python3/dist-packages/Legacy_Thing-2.3.post1-py3.11.egg-info".into()],
            ..Catalogued::default()
        }
    }
}

#[test]
fn distributions_an_os_package_owns_are_not_reported_twice() {
    let catalogers: Vec<Box<dyn Cataloger>> = vec![Box::new(Owner), Box::new(Python)];
    let layer = read_dir(&fixtures(), &Selector::new(&catalogers)).unwrap();
    let inv = inventory(&catalogers, vec![layer]);
    let names: Vec<_> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Plugin.Host", "oldpkg"]);
    assert!(inv.warnings.iter().all(|w: &Warning| w.path.is_some()));
}

#[test]
fn metadata_without_a_name_is_a_warning_naming_the_file() {
    let root = tempfile::tempdir().unwrap();
    let meta = root
        .path()
        .join("usr/lib/python3/dist-packages/broken-1.0.dist-info/METADATA");
    lang_support::write(&meta, "Metadata-Version: 2.1\nVersion: 1.0\n\nName: body\n");
    let inv = catalog(Python, root.path());
    assert!(inv.packages.is_empty());
    assert_eq!(
        inv.warnings[0].path.as_deref(),
        Some("/usr/lib/python3/dist-packages/broken-1.0.dist-info/METADATA")
    );
}
