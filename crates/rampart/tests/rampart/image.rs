//! `rampart image inventory` through the real binary: a debootstrapped Debian 12 packed
//! as a `docker save` archive (the dpkg inventory must equal `dpkg-query`), SBOMs of it,
//! and a pull from a real registry (Debian's `docker-registry`, image pushed with
//! `skopeo`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{bin, json, stderr, write};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|c| c.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed; these tests need it: apt-get install -y {package}")
        })
}

/// The debootstrapped Debian 12 root filesystem (built once per target directory).
fn debian_rootfs() -> PathBuf {
    let out = Command::new("bash")
        .arg(repo().join("crates/rampart-image/tests/support/debian-rootfs.sh"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "debian-rootfs.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Packs a root filesystem as a one-layer `docker save` archive.
fn docker_archive(rootfs: &Path, out: &Path, tag: &str) {
    let status = Command::new("python3")
        .arg(repo().join("bench/image/docker-archive.py"))
        .arg(rootfs)
        .arg(out)
        .arg(tag)
        .status()
        .unwrap();
    assert!(status.success());
}

fn dpkg_query(rootfs: &Path) -> Vec<(String, String, String)> {
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", rootfs.join("var/lib/dpkg").display()))
        .args(["-W", "-f", "${Package} ${Version} ${Architecture}\n"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut v: Vec<_> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect();
    v.sort();
    v
}

fn debs(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "deb")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["arch"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_debian_archive_inventory_equals_dpkg_query_and_makes_sboms() {
    let rootfs = debian_rootfs();
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("debian.tar");
    docker_archive(&rootfs, &archive, "example/debian:12");
    let cdx = tmp.path().join("sbom.cdx.json");
    let spdx = tmp.path().join("sbom.spdx.json");
    let out = bin()
        .current_dir(tmp.path())
        .args([
            "image",
            "inventory",
            "docker-archive:debian.tar",
            "--format",
            "json",
        ])
        .arg(format!("--format=cyclonedx={}", cdx.display()))
        .arg(format!("--format=spdx={}", spdx.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let want = dpkg_query(&rootfs);
    assert!(want.len() > 50);
    assert_eq!(debs(&report), want);
    assert_eq!(
        report["distro"]["osvEcosystem"], "Debian:12",
        "{}",
        report["distro"]
    );
    assert_eq!(report["subject"]["source"], "docker-archive");
    // Packages point at the layer by its uncompressed digest, as the config lists it.
    let layer = report["subject"]["layers"][0].as_str().unwrap().to_string();
    assert!(layer.starts_with("sha256:"));
    let libc = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "libc6")
        .unwrap();
    assert_eq!(libc["locations"][0]["path"], "/var/lib/dpkg/status");
    assert_eq!(libc["locations"][0]["layer"], layer.as_str());
    assert_eq!(libc["source"]["name"], "glibc");

    let cdx: serde_json::Value = serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
    assert_eq!(cdx["specVersion"], "1.6");
    let purls: Vec<&str> = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert_eq!(purls.len(), want.len());
    assert!(
        purls
            .iter()
            .any(|p| p.starts_with("pkg:deb/debian/libc6@") && p.contains("distro=debian-12"))
    );
    let spdx: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).unwrap()).unwrap();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    // The image, the operating system and one SPDX package per Debian package.
    assert_eq!(spdx["packages"].as_array().unwrap().len(), want.len() + 2);

    // The same root filesystem read as a directory finds the same packages.
    let out = bin()
        .args(["image", "inventory", "--format", "json"])
        .arg(format!("dir:{}", rootfs.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(debs(&json(&out)), want);
}

struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_registry() -> Registry {
    let binary = tool("docker-registry", "docker-registry");
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: not-a-secret\n",
        dir.path().join("storage").display()
    );
    let path = dir.path().join("config.yml");
    std::fs::write(&path, config).unwrap();
    let child = Command::new(binary)
        .arg("serve")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the registry did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Registry {
        child,
        port,
        _dir: dir,
    }
}

#[test]
fn an_image_is_pulled_from_a_registry_and_inventoried() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("rootfs");
    write(
        &root,
        "etc/os-release",
        "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
    );
    write(
        &root,
        "var/lib/dpkg/status",
        "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n",
    );
    write(
        &root,
        "usr/lib/python3/site-packages/idna-3.7.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: idna\nVersion: 3.7\n",
    );
    let archive = tmp.path().join("app.tar");
    docker_archive(&root, &archive, "example/app:1");
    let registry = start_registry();
    let host = format!("127.0.0.1:{}", registry.port);
    let status = Command::new(tool("skopeo", "skopeo"))
        .args(["copy", "--quiet", "--dest-tls-verify=false"])
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("docker://{host}/example/app:1"))
        .status()
        .unwrap();
    assert!(status.success());

    let image = format!("{host}/example/app:1");
    let out = bin()
        .args([
            "image",
            "inventory",
            "--format",
            "json",
            "--insecure-registry",
            &host,
            &image,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["subject"]["source"], "registry");
    assert_eq!(report["subject"]["reference"], image.as_str());
    assert!(
        report["subject"]["manifestDigest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let found: Vec<(String, String)> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["purl"].as_str().unwrap().to_string(),
                p["locations"][0]["layer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let layer = report["subject"]["layers"][0].as_str().unwrap();
    assert_eq!(
        found,
        [
            (
                "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1".to_string(),
                layer.to_string()
            ),
            ("pkg:pypi/idna@3.7".to_string(), layer.to_string()),
        ]
    );

    // Plain HTTP is never implied.
    let out = bin().args(["image", "inventory", &image]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--insecure-registry"), "{}", stderr(&out));
    // A platform the image does not have.
    let out = bin()
        .args([
            "image",
            "inventory",
            "--insecure-registry",
            &host,
            "--platform",
            "linux/s390x",
            &image,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("linux/amd64"), "{}", stderr(&out));
}

#[test]
fn bad_references_and_options_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(tmp.path())
        .args(["image", "inventory", "docker-archive:missing.tar"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.tar"), "{}", stderr(&out));
    let out = bin()
        .current_dir(tmp.path())
        .args(["image", "inventory", "--platform", "amd64", "dir:."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("OS/ARCH"), "{}", stderr(&out));
    let out = bin()
        .current_dir(tmp.path())
        .args(["image", "inventory", "--format", "xml", "dir:."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cyclonedx"), "{}", stderr(&out));
}
