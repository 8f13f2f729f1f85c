//! Fuzzes the Java archive reader of `rampart-image`: the zip central directory (Zip64,
//! prefixed archives), stored and deflated entries with size limits, manifests,
//! `pom.properties` and nested archives. Besides never panicking: the nested-archive
//! budget is never exceeded and every package found has coordinates.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::catalogers::java::{Scan, scan_archive};

fuzz_target!(|data: &[u8]| {
    let budget_start = 1 << 20;
    let mut budget = budget_start;
    let mut scan = Scan::default();
    let _ = scan_archive(data, "fuzz-1.0.jar", "", 0, &mut budget, &mut scan);
    assert!(budget <= budget_start);
    for a in &scan.artifacts {
        assert!(!a.artifact.is_empty() && !a.version.is_empty(), "{a:?}");
    }
});
