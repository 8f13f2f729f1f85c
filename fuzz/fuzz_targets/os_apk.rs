//! Fuzzes the apk `installed` database reader of `rampart-image`: every record has a name
//! and a version, files are absolute, and line numbers point into the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::catalogers::apk::parse_installed;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count();
    let parsed = parse_installed(&text);
    for r in &parsed.records {
        assert!(!r.name.is_empty() && !r.version.is_empty(), "record at line {}", r.line);
        assert!(r.line >= 1 && r.line <= lines, "record at line {} of {lines}", r.line);
        for f in &r.files {
            assert!(f.starts_with('/'), "relative file {f:?}");
        }
    }
    for (line, _) in &parsed.errors {
        assert!(*line >= 1 && *line <= lines, "error at line {line} of {lines}");
    }
});
