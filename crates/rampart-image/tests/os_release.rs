//! Distribution detection on os-release and older release files written like the real
//! ones of each distribution.

mod support;

use rampart_image::catalogers::dpkg::Dpkg;

#[test]
fn each_distribution_maps_to_its_osv_ecosystem() {
    // (fixture, id, version_id, codename, OSV ecosystem)
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    );
    let cases: &[Case] = &[
        ("debian-12", "debian", "12", Some("bookworm"), Some("Debian:12")),
        // No VERSION_ID on testing/unstable: the codename stands in, and OSV has no
        // ecosystem for it.
        ("debian-sid", "debian", "trixie", Some("trixie"), None),
        (
            "ubuntu-22.04",
            "ubuntu",
            "22.04",
            Some("jammy"),
            Some("Ubuntu:22.04:LTS"),
        ),
        (
            "ubuntu-24.10",
            "ubuntu",
            "24.10",
            Some("oracular"),
            Some("Ubuntu:24.10"),
        ),
        (
            "ubuntu-20.04-lsb",
            "ubuntu",
            "20.04",
            Some("focal"),
            Some("Ubuntu:20.04:LTS"),
        ),
        ("alpine-3.20", "alpine", "3.20.3", None, Some("Alpine:v3.20")),
        (
            "alpine-3.19-release-only",
            "alpine",
            "3.19.1",
            None,
            Some("Alpine:v3.19"),
        ),
        ("almalinux-9", "almalinux", "9.4", None, Some("AlmaLinux:9")),
        ("rocky-9", "rocky", "9.3", None, Some("Rocky Linux:9")),
        (
            "rhel-9",
            "rhel",
            "9.4",
            None,
            Some("Red Hat:enterprise_linux:9::baseos"),
        ),
        ("centos-7-release-only", "centos", "7.9.2009", Some("Core"), None),
        // VERSION_CODENAME="" counts as absent.
        ("fedora-40", "fedora", "40", None, None),
    ];
    for &(name, id, version_id, codename, ecosystem) in cases {
        let (_, distro) = support::catalog(Box::new(Dpkg), &support::fixture(&format!("release/{name}")));
        let d = distro.unwrap_or_else(|| panic!("{name}: no distribution detected"));
        assert_eq!(d.id, id, "{name}");
        assert_eq!(d.version_id, version_id, "{name}");
        assert_eq!(d.version_codename.as_deref(), codename, "{name}");
        assert_eq!(d.osv_ecosystem.as_deref(), ecosystem, "{name}");
    }
}

#[test]
fn os_release_wins_over_the_older_files() {
    // debian-12 has both; ubuntu-20.04-lsb has a Debian `debian_version` that must lose to
    // `lsb-release`.
    let (_, d) = support::catalog(Box::new(Dpkg), &support::fixture("release/debian-12"));
    assert_eq!(
        d.unwrap().pretty_name.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );
    let (_, d) = support::catalog(Box::new(Dpkg), &support::fixture("release/ubuntu-20.04-lsb"));
    assert_eq!(d.unwrap().id, "ubuntu");
}

#[test]
fn no_release_file_no_distribution() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("etc")).unwrap();
    std::fs::write(dir.path().join("etc/os-release"), "NAME=nothing\n# no ID\n").unwrap();
    let (_, d) = support::catalog(Box::new(Dpkg), dir.path());
    assert_eq!(d, None);
}
