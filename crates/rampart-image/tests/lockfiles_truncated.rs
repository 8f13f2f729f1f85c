//! Every fixture cut short at many points, and with bytes flipped: the parsers return
//! packages or errors, never panic, and every line they name lies inside the input.
//! (The fuzz target `lockfiles` does the same with arbitrary bytes.)

use std::path::Path;

use rampart_image::lockfiles::{Format, parse};

fn check(format: Format, name: &str, data: &[u8]) {
    let lines = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count()
        + 1;
    let ok = |line: Option<u32>| line.is_none_or(|l| l >= 1 && l as usize <= lines);
    match parse(format, name, data) {
        Ok(p) => {
            for x in &p.packages {
                assert!(ok(x.line), "{name}: {x:?} outside {lines} lines");
                assert!(
                    !x.package.name.is_empty() && !x.package.version.is_empty(),
                    "{name}: {x:?}"
                );
            }
            for x in &p.skipped {
                assert!(ok(x.line), "{name}: {x:?} outside {lines} lines");
            }
            for x in &p.errors {
                assert!(ok(x.line), "{name}: {x} outside {lines} lines");
                assert_eq!(x.file, Path::new(name));
            }
        }
        Err(e) => {
            assert!(ok(e.line), "{name}: {e} outside {lines} lines");
            assert_eq!(e.file, Path::new(name));
        }
    }
}

#[test]
fn truncated_and_corrupted_fixtures_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles");
    let mut files = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let format = Format::detect(&path).unwrap_or_else(|| panic!("{}", path.display()));
            let data = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            files += 1;
            let step = (data.len() / 40).max(1);
            for cut in (0..data.len()).step_by(step) {
                check(format, name, &data[..cut]);
                let mut flipped = data.clone();
                flipped[cut] = match flipped[cut] {
                    b'"' => b'\n',
                    b'\n' => b'"',
                    b' ' => b'[',
                    _ => b'{',
                };
                check(format, name, &flipped);
            }
        }
    }
    assert!(files >= 22, "{files} fixtures");
}
