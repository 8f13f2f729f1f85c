//! Fuzzes the lockfile parsers of `rampart-image`: the first byte picks the format, the
//! rest is the file. Besides "never panics, never overflows the stack", it checks that
//! every line a package, a skipped entry or an error names lies inside the input, that
//! every package has a name, a version and a purl of its ecosystem, and that every error
//! names the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_image::lockfiles::{Format, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let format = Format::ALL[usize::from(selector) % Format::ALL.len()];
    // Line breaks as the decoder counts them: \n, \r\n and a lone \r.
    let lines = body
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && body.get(i + 1) != Some(&b'\n')))
        .count()
        + 1;
    let in_input = |line: Option<u32>| line.is_none_or(|l| l >= 1 && l as usize <= lines);
    match parse(format, "fuzz.lock", body) {
        Ok(parsed) => {
            for p in &parsed.packages {
                assert!(in_input(p.line), "{format}: package line {:?} of {lines}", p.line);
                assert!(!p.package.name.is_empty() && !p.package.version.is_empty(), "{p:?}");
                let prefix = format!("pkg:{}/", format.package_type().purl_type());
                assert!(p.package.purl.starts_with(&prefix), "{}", p.package.purl);
                assert_eq!(p.package.locations[0].path, "fuzz.lock");
            }
            for s in &parsed.skipped {
                assert!(in_input(s.line), "{format}: skipped line {:?} of {lines}", s.line);
            }
            for e in &parsed.errors {
                assert!(in_input(e.line), "{format}: error line {:?} of {lines}: {e}", e.line);
                assert_eq!(e.file.to_str(), Some("fuzz.lock"));
            }
        }
        Err(e) => {
            assert!(in_input(e.line), "{format}: error line {:?} of {lines}: {e}", e.line);
            assert_eq!(e.file.to_str(), Some("fuzz.lock"));
        }
    }
});
