//! Times matching an inventory against a database: `cargo run --release --example
//! match_bench -- DB_DIR [PACKAGES]`. The inventory is built from the database's own
//! package names (so lookups hit real entries), spread over its ecosystems, with low
//! versions (so most ranges are evaluated to the end). Used by bench/vuln/run.sh.

use std::time::Instant;

use rampart_image::package::SourcePackage;
use rampart_image::{Distro, Package, PackageType};
use rampart_vuln::{Database, match_packages};

/// The allocator of the `rampart` binary, so the timing is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: match_bench DB_DIR [PACKAGES]");
    let count: usize = args.next().map_or(1000, |n| n.parse().expect("a number"));
    let t = Instant::now();
    let db = Database::open(std::path::Path::new(&dir)).expect("database opens");
    let open = t.elapsed();
    let kinds = [
        ("crates.io", PackageType::Cargo, "0.1.0"),
        ("Go", PackageType::Go, "v0.1.0"),
        ("PyPI", PackageType::Python, "1.0"),
        ("npm", PackageType::Npm, "1.0.0"),
        ("AlmaLinux:9", PackageType::Rpm, "0:1.0-1.el9"),
    ];
    let mut per_kind: Vec<Vec<String>> = vec![Vec::new(); kinds.len()];
    for (eco, name) in db.keys() {
        if let Some(i) = kinds.iter().position(|k| k.0 == eco) {
            per_kind[i].push(name.to_owned());
        }
    }
    let mut packages = Vec::with_capacity(count);
    let mut i = 0usize;
    while packages.len() < count {
        let k = i % kinds.len();
        i += 1;
        let names = &per_kind[k];
        if names.is_empty() {
            assert!(
                !per_kind.iter().all(Vec::is_empty),
                "the database has none of the benchmark's ecosystems"
            );
            continue;
        }
        let (_, kind, version) = kinds[k];
        let name = names[(i / kinds.len()) % names.len()].clone();
        packages.push(Package {
            source: (kind == PackageType::Rpm).then(|| SourcePackage {
                name: name.clone(),
                version: version.to_owned(),
            }),
            name,
            version: version.to_owned(),
            kind,
            purl: String::new(),
            arch: None,
            licenses: vec![],
            locations: vec![],
            cataloger: "bench",
        });
    }
    let distro = Distro {
        id: "almalinux".into(),
        version_id: "9".into(),
        version_codename: None,
        pretty_name: None,
        osv_ecosystem: Some("AlmaLinux:9".into()),
    };
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let db = Database::open(std::path::Path::new(&dir)).expect("database opens");
        findings = match_packages(&db, &packages, Some(&distro))
            .expect("match")
            .len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "open {:.2} ms; open + match of {count} packages: median {:.2} ms, best {:.2} ms; {findings} findings",
        open.as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
    );
}
