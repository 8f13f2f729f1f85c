//! Image sources and layers: OCI layouts, OCI and docker archives, whiteouts, digests,
//! and hostile layers, read through a small cataloger that reports every file it is
//! given (its contents as the version), so each test sees exactly what the layers left.

use std::io::Write;
use std::path::Path;

use rampart_image::catalog::{CatalogInput, Cataloger, Catalogued};
use rampart_image::layer::Limits;
use rampart_image::package::{Package, PackageType};
use rampart_image::source::{self, ImageError, Platform, Source};
use rampart_image::{FileMeta, Inventory};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Wants every file under `/pkgs/` and reports it as a package named after the path.
struct Files;

impl Cataloger for Files {
    fn id(&self) -> &'static str {
        "files"
    }
    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        path.starts_with("/pkgs/")
    }
    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let packages = input
            .files
            .iter()
            .map(|(path, f)| Package {
                name: path.to_string(),
                version: String::from_utf8_lossy(&f.data).into_owned(),
                kind: PackageType::Npm,
                purl: String::new(),
                source: None,
                arch: None,
                licenses: vec![],
                locations: vec![input.location(path)],
                cataloger: "files",
            })
            .collect();
        Catalogued {
            packages,
            ..Catalogued::default()
        }
    }
}

enum E<'a> {
    File(&'a str, &'a str),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    Fifo(&'a str),
}

#[derive(Clone, Copy)]
enum Z {
    None,
    Gzip,
    Zstd,
}

fn set_raw_name(h: &mut tar::Header, name: &str) {
    let gnu = h.as_gnu_mut().unwrap();
    gnu.name = [0; 100];
    gnu.name[..name.len()].copy_from_slice(name.as_bytes());
}

fn tar_bytes(entries: &[E<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(0);
        let (name, data): (&str, &[u8]) = match e {
            E::File(p, c) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(c.len() as u64);
                (p, c.as_bytes())
            }
            E::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                (p, &[])
            }
            E::Symlink(p, t) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_link_name_literal(t).unwrap();
                (p, &[])
            }
            E::Hardlink(p, t) => {
                h.set_entry_type(tar::EntryType::Link);
                h.set_link_name_literal(t).unwrap();
                (p, &[])
            }
            E::Fifo(p) => {
                h.set_entry_type(tar::EntryType::Fifo);
                (p, &[])
            }
        };
        set_raw_name(&mut h, name);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    b.into_inner().unwrap()
}

fn compress(data: &[u8], z: Z) -> Vec<u8> {
    match z {
        Z::None => data.to_vec(),
        Z::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Z::Zstd => zstd::encode_all(data, 1).unwrap(),
    }
}

fn digest(data: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(data)
        .iter()
        .fold(String::from("sha256:"), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn put_blob(dir: &Path, data: &[u8]) -> String {
    let d = digest(data);
    let p = dir.join("blobs/sha256");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join(d.trim_start_matches("sha256:")), data).unwrap();
    d
}

/// Writes an OCI layout with one image per `(tag, platform, layers)`.
fn oci_layout(dir: &Path, images: &[(&str, &str, Vec<Vec<E<'_>>>)], z: Z) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut descriptors = Vec::new();
    let mut manifest_digests = Vec::new();
    for (tag, platform, layers) in images {
        let (os, arch) = platform.split_once('/').unwrap();
        let mut diff_ids = Vec::new();
        let mut layer_desc = Vec::new();
        for l in layers {
            let tar = tar_bytes(l);
            diff_ids.push(digest(&tar));
            let blob = compress(&tar, z);
            let d = put_blob(dir, &blob);
            layer_desc.push(json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": blob.len()}));
        }
        let config = serde_json::to_vec(
            &json!({"os": os, "architecture": arch, "rootfs": {"type": "layers", "diff_ids": diff_ids}}),
        )
        .unwrap();
        let config_digest = put_blob(dir, &config);
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": layer_desc,
        }))
        .unwrap();
        let md = put_blob(dir, &manifest);
        manifest_digests.push(md.clone());
        descriptors.push(json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": md, "size": manifest.len(),
            "platform": {"os": os, "architecture": arch},
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }));
    }
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": descriptors})).unwrap(),
    )
    .unwrap();
    manifest_digests
}

/// Tars a directory (an OCI layout) into an archive.
fn tar_dir(dir: &Path, out: &Path) {
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    b.append_dir_all(".", dir).unwrap();
    b.finish().unwrap();
}

fn docker_archive(out: &Path, tag: &str, layers: &[Vec<E<'_>>]) {
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    let mut diff_ids = Vec::new();
    let mut members = Vec::new();
    let add = |b: &mut tar::Builder<std::fs::File>, name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    };
    for (i, l) in layers.iter().enumerate() {
        let tar = tar_bytes(l);
        diff_ids.push(digest(&tar));
        let name = format!("layer{i}/layer.tar");
        add(&mut b, &name, &tar);
        members.push(name);
    }
    let config = serde_json::to_vec(
        &json!({"os": "linux", "architecture": "amd64", "rootfs": {"type": "layers", "diff_ids": diff_ids}}),
    )
    .unwrap();
    let config_name = format!("{}.json", digest(&config).trim_start_matches("sha256:"));
    add(&mut b, &config_name, &config);
    let manifest =
        serde_json::to_vec(&json!([{"Config": config_name, "RepoTags": [tag], "Layers": members}])).unwrap();
    add(&mut b, "manifest.json", &manifest);
    b.finish().unwrap();
}

fn inventory(reference: &str) -> Result<Inventory, ImageError> {
    inventory_with(reference, None, Limits::default())
}

fn inventory_with(reference: &str, platform: Option<&str>, limits: Limits) -> Result<Inventory, ImageError> {
    let catalogers: Vec<Box<dyn Cataloger>> = vec![Box::new(Files)];
    let platform = platform.map(|p| Platform::parse(p).unwrap());
    source::inventory_source(
        &Source::parse(reference),
        platform.as_ref(),
        &catalogers,
        limits,
        &|_, _| {},
    )
    .map(|(_, inv)| inv)
}

fn found(inv: &Inventory) -> Vec<(String, String)> {
    inv.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

fn layered() -> Vec<Vec<E<'static>>> {
    vec![
        vec![
            E::Dir("pkgs"),
            E::File("pkgs/a", "1"),
            E::File("pkgs/b", "1"),
            E::File("pkgs/gone/c", "1"),
            E::File("pkgs/opaque/d", "1"),
        ],
        vec![
            E::File("pkgs/a", "2"),
            E::File("pkgs/.wh.b", ""),
            E::File("pkgs/.wh.gone", ""),
            E::File("pkgs/opaque/.wh..wh..opq", ""),
            E::File("pkgs/opaque/e", "2"),
            E::Hardlink("pkgs/linked", "pkgs/a"),
        ],
    ]
}

#[test]
fn every_compression_and_source_gives_the_same_merged_files() {
    let want = pairs(&[("/pkgs/a", "2"), ("/pkgs/linked", "2"), ("/pkgs/opaque/e", "2")]);
    let tmp = tempfile::tempdir().unwrap();
    for (n, z) in [Z::None, Z::Gzip, Z::Zstd].into_iter().enumerate() {
        let dir = tmp.path().join(format!("layout{n}"));
        oci_layout(&dir, &[("v1", "linux/amd64", layered())], z);
        let inv = inventory(&format!("oci:{}", dir.display())).unwrap();
        assert_eq!(found(&inv), want, "oci layout, compression {n}");
        let archive = tmp.path().join(format!("layout{n}.tar"));
        tar_dir(&dir, &archive);
        let inv = inventory(&format!("oci-archive:{}:v1", archive.display())).unwrap();
        assert_eq!(found(&inv), want, "oci archive, compression {n}");
    }
    let archive = tmp.path().join("docker.tar");
    docker_archive(&archive, "example/app:1", &layered());
    let inv = inventory(&format!("docker-archive:{}", archive.display())).unwrap();
    assert_eq!(found(&inv), want);
    let inv = inventory(&format!("docker-archive:{}:example/app:1", archive.display())).unwrap();
    assert_eq!(found(&inv), want);
    let err = inventory(&format!("docker-archive:{}:example/app:2", archive.display())).unwrap_err();
    assert!(
        err.to_string().contains("no image tagged \"example/app:2\""),
        "{err}"
    );
}

#[test]
fn locations_name_the_uncompressed_layer_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("layout");
    oci_layout(&dir, &[("v1", "linux/amd64", layered())], Z::Gzip);
    let src = Source::parse(&format!("oci:{}", dir.display()));
    let catalogers: Vec<Box<dyn Cataloger>> = vec![Box::new(Files)];
    let (info, inv) =
        source::inventory_source(&src, None, &catalogers, Limits::default(), &|_, _| {}).unwrap();
    let top = info.layers[1].diff_id.clone().unwrap();
    assert_eq!(digest(&tar_bytes(&layered()[1])), top);
    let a = inv.packages.iter().find(|p| p.name == "/pkgs/a").unwrap();
    assert_eq!(a.locations[0].layer.as_deref(), Some(top.as_str()));
    assert_eq!(info.layers.len(), 2);
    assert!(info.manifest_digest.unwrap().starts_with("sha256:"));
}

#[test]
fn platform_is_chosen_from_a_multi_platform_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("multi");
    oci_layout(
        &dir,
        &[
            ("v1", "linux/amd64", vec![vec![E::File("pkgs/arch", "amd64")]]),
            ("v1", "linux/arm64", vec![vec![E::File("pkgs/arch", "arm64")]]),
        ],
        Z::Gzip,
    );
    let r = format!("oci:{}", dir.display());
    for arch in ["amd64", "arm64"] {
        let inv = inventory_with(&r, Some(&format!("linux/{arch}")), Limits::default()).unwrap();
        assert_eq!(found(&inv), pairs(&[("/pkgs/arch", arch)]));
    }
    let err = inventory_with(&r, Some("linux/s390x"), Limits::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("no image for platform linux/s390x (available: linux/amd64, linux/arm64)"),
        "{err}"
    );
}

#[test]
fn hostile_entries_are_skipped_with_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hostile");
    oci_layout(
        &dir,
        &[(
            "v1",
            "linux/amd64",
            vec![vec![
                E::File("../../etc/evil", "x"),
                E::File("pkgs/../../escape", "x"),
                E::File("/pkgs/absolute", "1"),
                E::Hardlink("pkgs/hard", "../../etc/shadow"),
                E::Symlink("pkgs/out", "../../../../etc/passwd"),
                E::Symlink("pkgs/loop1", "loop2"),
                E::Symlink("pkgs/loop2", "loop1"),
                E::Fifo("pkgs/fifo"),
                E::File("pkgs/ok", "1"),
            ]],
        )],
        Z::Gzip,
    );
    let inv = inventory(&format!("oci:{}", dir.display())).unwrap();
    // Absolute paths are read inside the image; links and FIFOs are indexed, not read.
    assert_eq!(found(&inv), pairs(&[("/pkgs/absolute", "1"), ("/pkgs/ok", "1")]));
    let warned: Vec<_> = inv
        .warnings
        .iter()
        .map(|w| (w.path.clone().unwrap(), w.message.clone()))
        .collect();
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(
        warned
            .iter()
            .any(|(p, m)| p == "../../etc/evil" && m.contains("above the image root"))
    );
    assert!(
        warned
            .iter()
            .any(|(p, m)| p == "pkgs/hard" && m.contains("hard link"))
    );
    // Nothing was written anywhere: the layout directory holds only what the test wrote.
    assert!(!tmp.path().join("etc").exists() && !tmp.path().join("escape").exists());
}

#[test]
fn digest_mismatch_truncation_and_bombs_are_errors_naming_the_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bad");
    let big = "x".repeat(1 << 20);
    let layers = vec![vec![E::File("pkgs/a", "1")], vec![E::File("pkgs/big", &big)]];
    oci_layout(&dir, &[("v1", "linux/amd64", layers)], Z::Gzip);
    let r = format!("oci:{}", dir.display());
    // A decompression bomb, scaled down: the 1 MiB layer against a 64 KiB limit.
    let limits = Limits {
        max_layer_bytes: 64 << 10,
        ..Limits::default()
    };
    let err = inventory_with(&r, None, limits).unwrap_err();
    assert!(err.to_string().contains("decompression bomb"), "{err}");
    let limits = Limits {
        max_entries: 0,
        ..Limits::default()
    };
    assert!(
        inventory_with(&r, None, limits)
            .unwrap_err()
            .to_string()
            .contains("entries")
    );

    // Flip one byte of the first layer's blob: the digest no longer matches.
    let src = Source::parse(&r);
    let info = source::open(&src, None).unwrap().info;
    let first = info.layers[0].digest.clone().unwrap();
    let blob = dir.join("blobs/sha256").join(first.trim_start_matches("sha256:"));
    let mut data = std::fs::read(&blob).unwrap();
    let original = data.clone();
    let last = data.len() - 5;
    data[last] ^= 0xff;
    std::fs::write(&blob, &data).unwrap();
    let err = inventory(&r).unwrap_err().to_string();
    assert!(err.contains(&first), "{err}");
    assert!(
        err.contains("digest mismatch") || err.contains("not a valid"),
        "{err}"
    );
    // Truncated.
    std::fs::write(&blob, &original[..original.len() / 2]).unwrap();
    let err = inventory(&r).unwrap_err().to_string();
    assert!(
        err.contains(&first) && err.contains("not a valid tar stream"),
        "{err}"
    );

    // An uncompressed layer whose file contents changed: still a valid tar, wrong digest.
    let plain = tmp.path().join("plain");
    oci_layout(
        &plain,
        &[("v1", "linux/amd64", vec![vec![E::File("pkgs/a", "1")]])],
        Z::None,
    );
    let r = format!("oci:{}", plain.display());
    let info = source::open(&Source::parse(&r), None).unwrap().info;
    let first = info.layers[0].digest.clone().unwrap();
    let blob = plain
        .join("blobs/sha256")
        .join(first.trim_start_matches("sha256:"));
    let data = std::fs::read(&blob).unwrap();
    // The file's contents follow its 512-byte header.
    assert_eq!(data[512], b'1');
    let mut tampered = data.clone();
    tampered[512] = b'2';
    std::fs::write(&blob, &tampered).unwrap();
    let err = inventory(&r).unwrap_err().to_string();
    assert!(
        err.contains(&format!("layer {first}: digest mismatch: expected {first}")),
        "{err}"
    );
}

#[test]
fn malformed_layouts_are_errors_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("broken");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.json"), "{\n  \"manifests\": [\n").unwrap();
    let err = inventory(&format!("oci:{}", dir.display()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("index.json") && err.contains("line 3"), "{err}");
    let err = inventory(&format!("oci:{}", tmp.path().join("missing").display()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing"), "{err}");
    let not_tar = tmp.path().join("x.tar");
    std::fs::write(
        &not_tar,
        b"hello, not a tar file at all, just some text that is long enough to be a header maybe not",
    )
    .unwrap();
    let err = inventory(&format!("docker-archive:{}", not_tar.display()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.tar"), "{err}");
    // A manifest naming a blob outside the layout.
    oci_layout(
        &dir,
        &[("v1", "linux/amd64", vec![vec![E::File("pkgs/a", "1")]])],
        Z::None,
    );
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    index["manifests"][0]["digest"] = json!("sha256:../../../../etc/passwd");
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    let err = inventory(&format!("oci:{}", dir.display()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid digest"), "{err}");
}

#[test]
fn a_directory_is_read_without_following_links_out_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("rootfs");
    std::fs::create_dir_all(root.join("pkgs")).unwrap();
    std::fs::write(root.join("pkgs/a"), "1").unwrap();
    std::fs::write(tmp.path().join("secret"), "s").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("pkgs/out")).unwrap();
    let inv = inventory(&format!("dir:{}", root.display())).unwrap();
    assert_eq!(found(&inv), pairs(&[("/pkgs/a", "1")]));
}

#[test]
fn a_python_package_installed_by_dpkg_is_reported_once_as_the_debian_package() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let put = |path: &str, text: &str| {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    put("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    put(
        "var/lib/dpkg/status",
        "Package: python3-six\nStatus: install ok installed\nArchitecture: all\nSource: six\nVersion: 1.16.0-4\n\n",
    );
    let dist_info = "/usr/lib/python3/dist-packages/six-1.16.0.dist-info";
    put(
        "var/lib/dpkg/info/python3-six.list",
        &format!("/.\n/usr\n/usr/lib/python3/dist-packages\n{dist_info}\n{dist_info}/METADATA\n"),
    );
    put(
        &format!("{}/METADATA", &dist_info[1..]),
        "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n",
    );
    // Installed by pip, not by dpkg: reported.
    put(
        "usr/local/lib/python3.11/dist-packages/idna-3.7.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: idna\nVersion: 3.7\n",
    );
    let inv = rampart_image::inventory_dir(root).unwrap();
    let found: Vec<(&str, &str)> = inv
        .packages
        .iter()
        .map(|p| (p.purl.as_str(), p.cataloger))
        .collect();
    assert_eq!(
        found,
        [
            (
                "pkg:deb/debian/python3-six@1.16.0-4?arch=all&distro=debian-12",
                "dpkg"
            ),
            ("pkg:pypi/idna@3.7", "python"),
        ]
    );
}

#[test]
fn blobs_verified_skips_only_the_stored_digest_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("layout");
    let layers = vec![vec![E::File("pkgs/a", "1")]];
    oci_layout(&dir, &[("v1", "linux/amd64", layers)], Z::Gzip);
    let src = Source::parse(&format!("oci:{}", dir.display()));
    let info = source::open(&src, None).unwrap().info;
    let digest = info.layers[0].digest.clone().unwrap();
    let blob = dir
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    // The same tar compressed differently: the blob digest no longer matches, the
    // uncompressed diff_id still does.
    let tar = tar_bytes(&[E::File("pkgs/a", "1")]);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&tar).unwrap();
    let recompressed = e.finish().unwrap();
    assert_ne!(recompressed, std::fs::read(&blob).unwrap());
    std::fs::write(&blob, recompressed).unwrap();
    let catalogers: Vec<Box<dyn Cataloger>> = vec![Box::new(Files)];
    let err = source::open(&src, None)
        .unwrap()
        .inventory(&catalogers, Limits::default(), &|_, _| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("digest mismatch"), "{err}");
    let inv = source::open(&src, None)
        .unwrap()
        .blobs_verified()
        .inventory(&catalogers, Limits::default(), &|_, _| {})
        .unwrap();
    assert_eq!(found(&inv), pairs(&[("/pkgs/a", "1")]));
    // A changed tar still fails: the diff_id is always checked.
    std::fs::write(&blob, compress(&tar_bytes(&[E::File("pkgs/a", "2")]), Z::Gzip)).unwrap();
    let err = source::open(&src, None)
        .unwrap()
        .blobs_verified()
        .inventory(&catalogers, Limits::default(), &|_, _| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("digest mismatch"), "{err}");
}
