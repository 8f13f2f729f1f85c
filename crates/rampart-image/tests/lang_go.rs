//! Go binaries built here with the Go toolchain (Debian: `golang-go`), against modules
//! served from a local file proxy (no network): the cataloger's modules, replacements and
//! `stdlib` version must equal what `go version -m` prints for the same binary.

mod lang_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use lang_support::{cache_dir, catalog, found_at, install, once, require, run, write};
use rampart_image::catalogers::go::Go;

const INSTALL: &str = "install the Go toolchain (Debian: apt-get install golang-go)";

/// Publishes a module version into a `GOPROXY=file://` directory.
fn publish(proxy: &Path, work: &Path, module: &str, version: &str, source: &str) {
    let name = module.rsplit('/').next().unwrap();
    let src = work.join(format!("{module}@{version}"));
    write(&src.join("go.mod"), format!("module {module}\n\ngo 1.18\n"));
    write(&src.join(format!("{name}.go")), source);
    let at = proxy.join(module).join("@v");
    write(&at.join("list"), format!("{version}\n"));
    write(
        &at.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-02T03:04:05Z\"}}"),
    );
    write(
        &at.join(format!("{version}.mod")),
        format!("module {module}\n\ngo 1.18\n"),
    );
    run(Command::new("zip")
        .current_dir(work)
        .arg("-qr")
        .arg(at.join(format!("{version}.zip")))
        .arg(format!("{module}@{version}")));
}

/// Builds the test program for several targets; returns `(name, binary)`.
fn binaries() -> Vec<(&'static str, PathBuf)> {
    static BUILT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    require("go", INSTALL);
    require("zip", "apt-get install zip");
    let dir = cache_dir("go-v1");
    once(&dir, |dir| {
        let proxy = dir.join("proxy");
        let work = dir.join("work");
        publish(
            &proxy,
            &work,
            "example.com/greet",
            "v1.2.3",
            "package greet\n\nfunc Hello() string { return \"hello\" }\n",
        );
        publish(
            &proxy,
            &work,
            "example.com/fork",
            "v1.1.0",
            "package old\n\nfunc Name() string { return \"fork\" }\n",
        );
        write(&dir.join("local/go.mod"), "module example.com/local\n\ngo 1.18\n");
        write(
            &dir.join("local/local.go"),
            "package local\n\nconst World = \"world\"\n",
        );
        write(
            &dir.join("app/go.mod"),
            "module example.com/app\n\ngo 1.18\n\nrequire (\n\texample.com/greet v1.2.3\n\texample.com/local v0.0.0\n\texample.com/old v1.0.0\n)\n\nreplace example.com/local => ../local\n\nreplace example.com/old v1.0.0 => example.com/fork v1.1.0\n",
        );
        write(
            &dir.join("app/main.go"),
            "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n\t\"example.com/local\"\n\t\"example.com/old\"\n)\n\nfunc main() { fmt.Println(greet.Hello(), local.World, old.Name()) }\n",
        );
        let targets: [(&str, &str, &str, &[&str]); 5] = [
            ("amd64", "linux", "amd64", &[]),
            ("stripped", "linux", "amd64", &["-ldflags=-s -w"]),
            ("i386", "linux", "386", &[]),
            ("s390x", "linux", "s390x", &[]),
            ("windows.exe", "windows", "amd64", &[]),
        ];
        for (name, goos, goarch, flags) in targets {
            run(Command::new("go")
                .current_dir(dir.join("app"))
                .env("GOPROXY", format!("file://{}", proxy.display()))
                .env("GOSUMDB", "off")
                .env("GOFLAGS", "-mod=mod -buildvcs=false")
                .env("GOPATH", dir.join("gopath"))
                .env("GOCACHE", dir.join("gocache"))
                .env("CGO_ENABLED", "0")
                .env("GOOS", goos)
                .env("GOARCH", goarch)
                .arg("build")
                .args(flags)
                .arg("-o")
                .arg(dir.join("bin").join(name))
                .arg("."));
        }
        // The module cache is read-only; make it removable for the next rebuild.
        let _ = Command::new("chmod")
            .arg("-R")
            .arg("u+w")
            .arg(dir.join("gopath"))
            .status();
    });
    ["amd64", "stripped", "i386", "s390x", "windows.exe"]
        .into_iter()
        .map(|n| (n, dir.join("bin").join(n)))
        .collect()
}

/// What `go version -m` says: `(module, version)` pairs with replacements applied the
/// way the cataloger documents, plus `stdlib`.
fn go_version_m(binary: &Path) -> BTreeSet<(String, String)> {
    let text = run(Command::new("go").arg("version").arg("-m").arg(binary));
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    let (_, toolchain) = first.rsplit_once(": ").unwrap();
    let mut mods: Vec<(String, String)> = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.trim_start().split('\t').collect();
        match f[0] {
            "mod" | "dep" => mods.push((f[1].into(), f.get(2).copied().unwrap_or("").into())),
            "=>" => {
                let last = mods.last_mut().unwrap();
                let version = f.get(2).copied().unwrap_or("");
                *last = if f[1].starts_with("../") {
                    (last.0.clone(), "(devel)".into())
                } else {
                    (f[1].into(), version.into())
                };
            }
            _ => {}
        }
    }
    mods.push(("stdlib".into(), toolchain.trim().into()));
    mods.into_iter().collect()
}

#[test]
fn modules_and_toolchain_match_go_version_m() {
    let bins = binaries();
    let root = tempfile::tempdir().unwrap();
    for (name, bin) in &bins {
        install(bin, &root.path().join("usr/bin").join(name), 0o755);
    }
    // A Go binary that is not executable is not read; a non-Go executable is dropped.
    install(&bins[0].1, &root.path().join("srv/data.bin"), 0o644);
    install(Path::new("/bin/ls"), &root.path().join("usr/bin/ls"), 0o755);
    // The toolchain's own `go` command: a large real binary that also carries the magic
    // among its constants (it reads build information itself).
    let go_tool = std::fs::canonicalize(run(Command::new("go").args(["env", "GOROOT"])).trim())
        .unwrap()
        .join("bin/go");
    install(&go_tool, &root.path().join("usr/lib/go/bin/go"), 0o755);
    let inv = catalog(Go, root.path());
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    assert_eq!(found_at(&inv, "/usr/lib/go/bin/go"), go_version_m(&go_tool));
    for (name, bin) in &bins {
        let expected = go_version_m(bin);
        assert!(expected.len() >= 5, "{expected:?}");
        assert_eq!(found_at(&inv, &format!("/usr/bin/{name}")), expected, "{name}");
    }
    assert!(found_at(&inv, "/srv/data.bin").is_empty());
    assert!(found_at(&inv, "/usr/bin/ls").is_empty());

    let p = |name: &str| {
        inv.packages
            .iter()
            .find(|p| p.name == name && p.locations[0].path == "/usr/bin/amd64")
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(p("example.com/greet").purl, "pkg:golang/example.com/greet@v1.2.3");
    assert_eq!(p("example.com/fork").purl, "pkg:golang/example.com/fork@v1.1.0");
    assert_eq!(p("example.com/local").version, "(devel)");
    assert_eq!(p("example.com/app").purl, "pkg:golang/example.com/app");
    let stdlib = p("stdlib");
    let plain = stdlib.version.strip_prefix("go").unwrap();
    assert_eq!(stdlib.purl, format!("pkg:golang/stdlib@{plain}"));
}

#[test]
fn a_truncated_go_binary_is_a_warning_naming_it() {
    let bins = binaries();
    let data = std::fs::read(&bins[0].1).unwrap();
    let root = tempfile::tempdir().unwrap();
    for (name, len) in [("half", data.len() / 2), ("tiny", 5000)] {
        let path = root.path().join("usr/bin").join(name);
        write(&path, &data[..len]);
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let inv = catalog(Go, root.path());
    assert!(inv.packages.is_empty(), "{:#?}", inv.packages);
    for name in ["half", "tiny"] {
        let path = format!("/usr/bin/{name}");
        assert!(
            inv.warnings
                .iter()
                .any(|w| w.path.as_deref() == Some(path.as_str()) && w.message.starts_with("go: ")),
            "{name}: {:#?}",
            inv.warnings
        );
    }
}
