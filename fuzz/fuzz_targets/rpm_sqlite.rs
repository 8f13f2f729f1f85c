//! Fuzzes the `rpmdb.sqlite` reader of `rampart-image` end to end (the SQLite b-tree
//! walk, overflow chains, records, then each header blob): it must end, never panic, and
//! never return more packages than the file has rows' room for.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::catalogers::rpm::{read_database, sqlite};

fuzz_target!(|data: &[u8]| {
    let (packages, problems) = read_database(data);
    // A row takes at least a few bytes of a page.
    assert!(packages.len() <= data.len() / 4, "{} packages from {} bytes", packages.len(), data.len());
    for p in &problems {
        assert!(!p.is_empty(), "empty problem");
    }
    // The record decoder on its own, on raw bytes.
    if let Ok(values) = sqlite::decode_record(data) {
        assert!(values.len() <= data.len(), "{} values from {} bytes", values.len(), data.len());
    }
});
