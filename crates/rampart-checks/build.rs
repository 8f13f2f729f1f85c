//! Registers every check without a central list: each `src/checks/<group>/<check_id>.rs`
//! defines `pub static CHECK: Check`, and this script generates the module tree and the
//! registry slice from the files it finds.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut groups: Vec<_> = std::fs::read_dir(&root)
        .expect("src/checks exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    groups.sort();
    let mut modules = String::new();
    let mut registry = String::from(
        "/// Every built-in check, sorted by group and file name.\npub static ALL: &[&Check] = &[\n",
    );
    for group in groups {
        println!("cargo:rerun-if-changed={}", group.display());
        let gname = group.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&group)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        files.sort();
        writeln!(modules, "pub mod {gname} {{").unwrap();
        for f in files {
            let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
            writeln!(
                modules,
                "    #[path = {:?}]\n    pub mod {stem};",
                f.display().to_string()
            )
            .unwrap();
            writeln!(registry, "    &{gname}::{stem}::CHECK,").unwrap();
        }
        writeln!(modules, "}}").unwrap();
    }
    registry.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("registry.rs");
    std::fs::write(out, format!("{modules}\n{registry}")).unwrap();
}
