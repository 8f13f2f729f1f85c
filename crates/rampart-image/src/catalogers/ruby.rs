//! Installed Ruby gems: `specifications/*.gemspec` under a gem directory (RubyGems writes
//! one per installed gem; Debian's `ruby-*` packages install theirs under
//! `/usr/share/rubygems-integration/*/specifications/`), and the default gems that come
//! with Ruby itself (`specifications/default/*.gemspec`).
//!
//! Installed specifications are Ruby code in a fixed, generated shape; they are read, not
//! run: the string literals assigned to `name`, `version` and `license`/`licenses`
//! (`s.name = "rack".freeze`, `s.licenses = ["MIT".freeze]`, `%q{...}` literals), with the
//! `# stub: NAME VERSION ...` comment as fallback for name and version.

use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

pub struct Ruby;

const MAX_GEMSPEC: u64 = 1 << 20;

/// Name, version and licences of a gemspec.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gemspec {
    pub name: Option<String>,
    pub version: Option<String>,
    pub licenses: Vec<String>,
}

/// The string literals of a Ruby expression, in order (`"a"`, `'b'`, `%q{c}`).
fn string_literals(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let (close, start) = match b[i] {
            b'"' => (b'"', i + 1),
            b'\'' => (b'\'', i + 1),
            b'%' if matches!(b.get(i + 1), Some(b'q' | b'Q')) => match b.get(i + 2) {
                Some(b'{') => (b'}', i + 3),
                Some(b'(') => (b')', i + 3),
                Some(b'[') => (b']', i + 3),
                Some(b'<') => (b'>', i + 3),
                Some(&c) if c.is_ascii_punctuation() => (c, i + 3),
                _ => {
                    i += 1;
                    continue;
                }
            },
            b'#' => break,
            _ => {
                i += 1;
                continue;
            }
        };
        let mut j = start;
        let mut s = Vec::new();
        while j < b.len() && b[j] != close {
            if b[j] == b'\\' && j + 1 < b.len() {
                j += 1;
            }
            s.push(b[j]);
            j += 1;
        }
        out.push(String::from_utf8_lossy(&s).into_owned());
        i = j + 1;
    }
    out
}

/// Reads a gemspec (see the module documentation).
pub fn parse_gemspec(text: &str) -> Gemspec {
    let mut spec = Gemspec::default();
    let mut stub = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("# stub:") {
            let mut w = rest.split_whitespace();
            stub = w
                .next()
                .zip(w.next())
                .map(|(n, v)| (n.to_string(), v.to_string()));
            continue;
        }
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        if rhs.starts_with(['=', '~']) || lhs.ends_with(['!', '<', '>', '=']) {
            continue;
        }
        let Some((_, attr)) = lhs.trim().rsplit_once('.') else {
            continue;
        };
        let values = string_literals(rhs);
        match attr {
            "name" if spec.name.is_none() => spec.name = values.into_iter().next(),
            "version" if spec.version.is_none() => spec.version = values.into_iter().next(),
            "license" | "licenses" if spec.licenses.is_empty() => spec.licenses = values,
            _ => {}
        }
    }
    if let Some((n, v)) = stub {
        spec.name.get_or_insert(n);
        spec.version.get_or_insert(v);
    }
    spec
}

impl Cataloger for Ruby {
    fn id(&self) -> &'static str {
        "ruby"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        if !path.ends_with(".gemspec") {
            return false;
        }
        let dir = crate::fs::parent(path);
        dir.ends_with("/specifications") || dir.ends_with("/specifications/default")
    }

    fn max_file_size(&self) -> u64 {
        MAX_GEMSPEC
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            let spec = parse_gemspec(&String::from_utf8_lossy(&file.data));
            let (Some(name), Some(version)) = (spec.name, spec.version) else {
                out.warnings.push(Warning {
                    layer: input.layer_of(path),
                    path: Some(path.to_string()),
                    message: "ruby: no name or no version found in the gemspec".into(),
                });
                continue;
            };
            out.packages.push(Package {
                purl: purl(PackageType::Gem, None, &name, &version, &[]),
                name,
                version,
                kind: PackageType::Gem,
                source: None,
                arch: None,
                licenses: spec.licenses,
                locations: vec![input.location(path)],
                cataloger: "ruby",
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_of_each_quoting() {
        assert_eq!(
            string_literals(r#" ["MIT".freeze, 'Ruby'] # "no""#),
            ["MIT", "Ruby"]
        );
        assert_eq!(string_literals(" %q{rack}"), ["rack"]);
        assert_eq!(string_literals(r#" "a\"b""#), [r#"a"b"#]);
    }

    #[test]
    fn comparisons_are_not_assignments() {
        let s = parse_gemspec("if s.name == \"x\" then\ns.name = \"y\"\ns.version = \"1\"\n");
        assert_eq!(s.name.as_deref(), Some("y"));
    }
}
