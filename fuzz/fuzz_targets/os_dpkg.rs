//! Fuzzes the dpkg database reader of `rampart-image`: `parse_status` (the `status` file
//! and distroless `status.d` files) and the DEP-5 copyright reader, checking that line
//! numbers point into the input and that what is returned is well formed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::catalogers::dpkg::{copyright_licenses, parse_status};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count();
    let status = parse_status(&text);
    for e in &status.entries {
        assert!(!e.package.is_empty(), "entry without a name");
        assert!(e.line >= 1 && e.line <= lines, "entry at line {} of {lines}", e.line);
        assert!(!e.present() || !e.version.is_empty(), "{} is present without a version", e.package);
    }
    for (line, _) in &status.errors {
        assert!(*line >= 1 && *line <= lines, "error at line {line} of {lines}");
    }
    if let Some(licenses) = copyright_licenses(&text) {
        for l in licenses {
            assert!(!l.is_empty() && !l.contains('\n'), "licence {l:?}");
        }
    }
});
