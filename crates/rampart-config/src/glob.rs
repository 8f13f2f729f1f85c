//! Path globs for `--exclude`, `ignore-paths` and exception `paths`.
//!
//! `*` matches within one path segment, `**` any number of segments, `?` one character.
//! A pattern without `/` matches any single segment (a file or directory name anywhere);
//! a pattern with `/` matches the whole relative path, and `dir/**` everything below `dir`.

/// Whether `path` (relative, `/`-separated) matches `pattern`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let path = path.trim_start_matches("./");
    let pattern = pattern.trim_start_matches("./");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if !pattern.contains('/') {
        return segs.iter().any(|s| rampart_checks::util::glob_match(pattern, s));
    }
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    match_segments(&pat, &segs)
}

fn match_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|i| match_segments(rest, &segs[i..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, srest)) => rampart_checks::util::glob_match(p, s) && match_segments(rest, srest),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn globs() {
        assert!(path_matches("vendor", "a/vendor/x.yaml"));
        assert!(path_matches("*.tpl.yaml", "charts/a/x.tpl.yaml"));
        assert!(path_matches("charts/**", "charts/a/b/c.yaml"));
        assert!(path_matches("**/tests/*.yaml", "x/y/tests/a.yaml"));
        assert!(path_matches("deploy/*.yaml", "./deploy/a.yaml"));
        assert!(!path_matches("deploy/*.yaml", "deploy/sub/a.yaml"));
        assert!(!path_matches("vendor", "vendors/a.yaml"));
    }
}
