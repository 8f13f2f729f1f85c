//! Fuzzes the image layer reader of `rampart-image`: arbitrary bytes as a layer blob
//! (plain, gzip or zstd tar) -> `read_layer` with every cataloger -> `merge` -> symlink
//! resolution of every path -> the catalogers. Besides "never panics", it checks that
//! every indexed path is normalised (absolute, no `.`/`..`/empty components), so nothing
//! can name a place outside the image root.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::catalogers;
use rampart_image::fs::merge;
use rampart_image::inventory::{Selector, inventory};
use rampart_image::layer::{Expected, Limits, read_layer};

fuzz_target!(|data: &[u8]| {
    let all = catalogers::all();
    let selector = Selector::new(&all);
    let limits = Limits {
        max_layer_bytes: 64 << 20,
        max_entries: 100_000,
    };
    let Ok(layer) = read_layer("fuzz", data, &Expected::default(), &selector, limits, &mut |_| {}) else {
        return;
    };
    for (path, _) in &layer.entries {
        assert!(path.starts_with('/'), "not absolute: {path:?}");
        assert!(
            path == "/" || path[1..].split('/').all(|c| !c.is_empty() && c != "." && c != ".."),
            "not normalised: {path:?}"
        );
    }
    let (index, _, _) = merge(vec![layer], selector.slots());
    for (path, _) in index.iter() {
        if let Some(real) = index.resolve(path) {
            assert!(real.starts_with('/') && !real.split('/').any(|c| c == ".."), "{real:?}");
        }
    }
    // The full inventory on the same bytes (catalogers parse what they captured).
    let Ok(layer) = read_layer("fuzz", data, &Expected::default(), &selector, limits, &mut |_| {}) else {
        return;
    };
    let _ = inventory(&all, vec![layer]);
});
