//! Fuzzes the rpm header blob reader of `rampart-image`: a header either fails with an
//! error or gives a named package, and nothing it returns is larger than the input could
//! hold.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::catalogers::rpm::header;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = header::parse(data) {
        assert!(!p.name.is_empty(), "package without a name");
        // Every file name takes at least its terminating byte in the store.
        assert!(p.files.len() <= data.len(), "{} files from {} bytes", p.files.len(), data.len());
        let v = p.full_version();
        assert!(v.ends_with(&format!("{}-{}", p.version, p.release)), "{v}");
    }
});
