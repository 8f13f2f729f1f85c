//! The OS catalogers through the layered inventory: the database of the top layer wins,
//! packages carry the digest of the layer that wrote their database, and a whiteout
//! removes a database.

mod support;

use std::fmt::Write as _;
use std::path::Path;

use rampart_image::catalogers::all;
use rampart_image::inventory::{Selector, inventory, read_dir};

fn layer(dir: &Path, digest: &str, selector: &Selector<'_>) -> rampart_image::fs::LayerContents {
    let mut l = read_dir(dir, selector).unwrap();
    l.digest = Some(digest.to_string());
    l
}

#[test]
fn upper_layer_database_wins_and_names_its_layer() {
    let lower = tempfile::tempdir().unwrap();
    let upper = tempfile::tempdir().unwrap();
    for (dir, packages) in [
        (lower.path(), &["base"][..]),
        (upper.path(), &["base", "extra"][..]),
    ] {
        std::fs::create_dir_all(dir.join("var/lib/dpkg")).unwrap();
        let mut status = String::new();
        for p in packages {
            let _ = write!(
                status,
                "Package: {p}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n"
            );
        }
        std::fs::write(dir.join("var/lib/dpkg/status"), status).unwrap();
    }
    // The os-release comes from the lower layer only.
    std::fs::create_dir_all(lower.path().join("etc")).unwrap();
    std::fs::copy(
        support::fixture("release/ubuntu-22.04/etc/os-release"),
        lower.path().join("etc/os-release"),
    )
    .unwrap();

    let catalogers = all();
    let selector = Selector::new(&catalogers);
    let layers = vec![
        layer(lower.path(), "sha256:lower", &selector),
        layer(upper.path(), "sha256:upper", &selector),
    ];
    let inv = inventory(&catalogers, layers);
    assert_eq!(
        inv.distro.unwrap().osv_ecosystem.as_deref(),
        Some("Ubuntu:22.04:LTS")
    );
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.purl.as_str(), p.locations[0].layer.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "base",
                "pkg:deb/ubuntu/base@1.0-1?arch=amd64&distro=ubuntu-22.04",
                Some("sha256:upper")
            ),
            (
                "extra",
                "pkg:deb/ubuntu/extra@1.0-1?arch=amd64&distro=ubuntu-22.04",
                Some("sha256:upper")
            ),
        ]
    );
}

#[test]
fn whiteout_removes_the_database() {
    let catalogers = all();
    let selector = Selector::new(&catalogers);
    let lower = layer(&support::fixture("apk"), "sha256:lower", &selector);
    let mut upper = rampart_image::fs::LayerContents {
        digest: Some("sha256:upper".into()),
        ..Default::default()
    };
    upper.whiteouts.push("/lib/apk/db/installed".into());
    let inv = inventory(&catalogers, vec![lower, upper]);
    assert!(inv.packages.is_empty(), "{:?}", inv.packages);
    assert_eq!(inv.distro.unwrap().id, "alpine");
}
