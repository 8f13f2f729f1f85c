//! Fuzzes the executable readers of `rampart-image`: the Go build information (both header
//! formats, through ELF/Mach-O/PE parsing and the segment address translation) and the
//! cargo-auditable `.dep-v0` section (zlib with an output limit, then JSON). Besides never
//! panicking: whatever is returned stays within the documented limits.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::catalogers::{go, rust};

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(info)) = go::read_build_info(data) {
        assert!(info.go_version.len() <= 4 * 1024, "version longer than its limit");
        for m in go::parse_modinfo(&info.modinfo) {
            assert!(!m.path.is_empty());
            let _ = go::module_purl(&m.path, &m.version);
        }
    }
    // The same bytes as a pre-1.18 header followed by the memory it points into.
    if data.len() >= 18 {
        let read = |addr: u64, len: u64| -> Option<&[u8]> {
            let start = usize::try_from(addr).ok()?;
            data.get(start..start.checked_add(usize::try_from(len).ok()?)?)
        };
        let _ = go::read_pointer_format(data, data[14], data[15] & 1 != 0, &read);
    }
    if let Ok(Some(json)) = rust::read_dep_section(data) {
        assert!(json.len() as u64 <= rust::MAX_DEP_INFO);
        let _ = rust::parse_dep_info(&json);
    }
    if let Ok(out) = rust::inflate(data) {
        assert!(out.len() as u64 <= rust::MAX_DEP_INFO);
    }
});
