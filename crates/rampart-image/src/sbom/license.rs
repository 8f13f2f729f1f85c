//! Declared licence strings, as packages write them, turned into SPDX licence
//! expressions where that can be done without guessing.
//!
//! A declared string is parsed as an SPDX expression (`AND`, `OR`, `WITH`, `+`,
//! parentheses; operators in any case). Licence ids are matched case-insensitively against
//! [`LICENSE_IDS`], a list of the ids packages commonly declare, and written in their
//! canonical case. The deprecated GNU ids (`GPL-2.0`, `GPL-2.0+` ...) and a few legacy
//! spellings (`GPLv2+`, Debian's `GPL-2+`, `ASL 2.0` ...) become their current SPDX ids.
//! Anything else is kept as written: the SBOM writers turn it into a named licence
//! (CycloneDX) or a `LicenseRef-` (SPDX).

/// SPDX licence ids (SPDX licence list) recognised in declared licences. Every entry is
/// in the SPDX list; ids missing here are not rejected, they are kept as named licences.
pub const LICENSE_IDS: &[&str] = &[
    "0BSD",
    "AFL-2.1",
    "AFL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "Beerware",
    "BlueOak-1.0.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "BSD-4-Clause-UC",
    "BSD-Source-Code",
    "BSL-1.0",
    "bzip2-1.0.6",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CPL-1.0",
    "curl",
    "ECL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "FSFAP",
    "FSFUL",
    "FSFULLR",
    "FTL",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ICU",
    "IJG",
    "ImageMagick",
    "Info-ZIP",
    "IPA",
    "ISC",
    "JSON",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "Libpng",
    "libtiff",
    "LPPL-1.3c",
    "MirOS",
    "MIT",
    "MIT-0",
    "MIT-CMU",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "MS-PL",
    "MS-RL",
    "NCSA",
    "ODbL-1.0",
    "OFL-1.1",
    "OLDAP-2.8",
    "OpenSSL",
    "PHP-3.0",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "Sendmail",
    "SGI-B-2.0",
    "Sleepycat",
    "TCL",
    "Unicode-DFS-2015",
    "Unicode-DFS-2016",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "XFree86-1.1",
    "Zlib",
    "zlib-acknowledgement",
    "ZPL-2.1",
];

/// SPDX licence exception ids recognised after `WITH`.
pub const EXCEPTION_IDS: &[&str] = &[
    "Autoconf-exception-2.0",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Bootloader-exception",
    "Classpath-exception-2.0",
    "Font-exception-2.0",
    "GCC-exception-2.0",
    "GCC-exception-3.1",
    "Libtool-exception",
    "Linux-syscall-note",
    "LLVM-exception",
    "Qt-LGPL-exception-1.1",
    "u-boot-exception-2.0",
    "WxWindows-exception-3.1",
];

/// Deprecated SPDX ids and legacy spellings with one clear current id. The key is
/// compared case-insensitively; a trailing `+` on the deprecated GNU ids is handled apart.
const ALIASES: &[(&str, &str)] = &[
    ("GPL-1.0", "GPL-1.0-only"),
    ("GPL-2.0", "GPL-2.0-only"),
    ("GPL-3.0", "GPL-3.0-only"),
    ("LGPL-2.0", "LGPL-2.0-only"),
    ("LGPL-2.1", "LGPL-2.1-only"),
    ("LGPL-3.0", "LGPL-3.0-only"),
    ("AGPL-3.0", "AGPL-3.0-only"),
    ("GFDL-1.2", "GFDL-1.2-only"),
    ("GFDL-1.3", "GFDL-1.3-only"),
    ("GPL-1", "GPL-1.0-only"),
    ("GPL-1+", "GPL-1.0-or-later"),
    ("GPL-2", "GPL-2.0-only"),
    ("GPL-2+", "GPL-2.0-or-later"),
    ("GPL-3", "GPL-3.0-only"),
    ("GPL-3+", "GPL-3.0-or-later"),
    ("LGPL-2", "LGPL-2.0-only"),
    ("LGPL-2+", "LGPL-2.0-or-later"),
    ("LGPL-2.1+", "LGPL-2.1-or-later"),
    ("LGPL-3", "LGPL-3.0-only"),
    ("LGPL-3+", "LGPL-3.0-or-later"),
    ("GPLv2", "GPL-2.0-only"),
    ("GPLv2+", "GPL-2.0-or-later"),
    ("GPLv3", "GPL-3.0-only"),
    ("GPLv3+", "GPL-3.0-or-later"),
    ("LGPLv2", "LGPL-2.0-only"),
    ("LGPLv2+", "LGPL-2.0-or-later"),
    ("LGPLv2.1", "LGPL-2.1-only"),
    ("LGPLv2.1+", "LGPL-2.1-or-later"),
    ("LGPLv3", "LGPL-3.0-only"),
    ("LGPLv3+", "LGPL-3.0-or-later"),
    ("AGPLv3", "AGPL-3.0-only"),
    ("AGPLv3+", "AGPL-3.0-or-later"),
    ("Apache-2", "Apache-2.0"),
    ("ASL-2.0", "Apache-2.0"),
    ("Expat", "MIT"),
    ("Zope-2.1", "ZPL-2.1"),
];

/// Phrases (with spaces) that name one licence unambiguously, alone or as an operand
/// (`ASL 2.0 and MIT`, as old RPM licence tags write it).
const PHRASES: &[(&str, &str)] = &[
    ("ASL 2.0", "Apache-2.0"),
    ("Apache 2.0", "Apache-2.0"),
    ("Apache License 2.0", "Apache-2.0"),
    ("Apache License, Version 2.0", "Apache-2.0"),
    ("Apache Software License", "Apache-2.0"),
    ("MIT License", "MIT"),
    ("The MIT License", "MIT"),
    ("BSD 3-Clause", "BSD-3-Clause"),
    ("BSD 2-Clause", "BSD-2-Clause"),
    ("ISC License", "ISC"),
    ("Mozilla Public License 2.0", "MPL-2.0"),
];

/// Longest declared string parsed as an expression.
const MAX_EXPRESSION: usize = 1024;

/// What a declared licence string is, in SPDX terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum License {
    /// Exactly one SPDX licence id, in canonical case.
    Id(String),
    /// A valid SPDX expression of more than one id, or with `+`, `WITH` or a
    /// `LicenseRef-`, written with canonical ids and upper-case operators.
    Expression(String),
    /// An expression whose structure is SPDX but some of whose operands are not SPDX ids
    /// (`GPL-2.0+ and BSD`): `unknown` are those operands as written, in order of
    /// appearance.
    Partial { tree: Expr, unknown: Vec<String> },
    /// Free text: not an SPDX expression (`Custom license text`, `BSD`).
    Text(String),
}

/// A parsed licence expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A known SPDX id (with `+` when the declaration had one), or a `LicenseRef-`.
    Known(String),
    /// An operand that is not an SPDX id, as written.
    Unknown(String),
    With(Box<Expr>, String),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    /// Writes the expression; unknown operands are written by `unknown`.
    pub fn render(&self, unknown: &mut dyn FnMut(&str) -> String) -> String {
        match self {
            Self::Known(s) => s.clone(),
            Self::Unknown(s) => unknown(s),
            Self::With(l, e) => format!("{} WITH {e}", l.render(unknown)),
            Self::And(items) => items
                .iter()
                .map(|i| match i {
                    Self::Or(_) => format!("({})", i.render(unknown)),
                    _ => i.render(unknown),
                })
                .collect::<Vec<_>>()
                .join(" AND "),
            Self::Or(items) => items
                .iter()
                .map(|i| i.render(unknown))
                .collect::<Vec<_>>()
                .join(" OR "),
        }
    }

    fn unknown_operands<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Known(_) => {}
            Self::Unknown(s) => out.push(s),
            Self::With(l, _) => l.unknown_operands(out),
            Self::And(items) | Self::Or(items) => {
                for i in items {
                    i.unknown_operands(out);
                }
            }
        }
    }
}

/// The canonical spelling of a known SPDX licence id, matched case-insensitively.
pub fn canonical_id(id: &str) -> Option<&'static str> {
    LICENSE_IDS.iter().copied().find(|k| k.eq_ignore_ascii_case(id))
}

fn canonical_exception(id: &str) -> Option<&'static str> {
    EXCEPTION_IDS.iter().copied().find(|k| k.eq_ignore_ascii_case(id))
}

/// Whether `s` is a valid `LicenseRef-idstring`. References into other documents
/// (`DocumentRef-x:LicenseRef-y`) are not: an SBOM of an image cannot resolve them, so
/// they are kept as text.
pub fn is_license_ref(s: &str) -> bool {
    s.strip_prefix("LicenseRef-").is_some_and(|t| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

/// Resolves one operand: a known id (canonical, aliases applied), or `None`.
fn resolve_operand(word: &str) -> Option<String> {
    if is_license_ref(word) {
        return Some(word.to_string());
    }
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| from.eq_ignore_ascii_case(word)) {
        return Some((*to).to_string());
    }
    if let Some(id) = canonical_id(word) {
        return Some(id.to_string());
    }
    let base = word.strip_suffix('+')?;
    // The deprecated GNU ids with `+` are the `-or-later` ids.
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| from.eq_ignore_ascii_case(base))
        && let Some(stem) = to.strip_suffix("-only")
    {
        let later = format!("{stem}-or-later");
        if canonical_id(&later).is_some() {
            return Some(later);
        }
    }
    canonical_id(base).map(|id| format!("{id}+"))
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Open,
    Close,
    And,
    Or,
    With,
    Word(&'a str),
}

fn word_token(w: &str) -> Token<'_> {
    if w.eq_ignore_ascii_case("and") {
        Token::And
    } else if w.eq_ignore_ascii_case("or") {
        Token::Or
    } else if w.eq_ignore_ascii_case("with") {
        Token::With
    } else {
        Token::Word(w)
    }
}

fn tokenize(s: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, b) in s.bytes().enumerate() {
        if b.is_ascii_whitespace() || b == b'(' || b == b')' {
            if let Some(st) = start.take() {
                out.push(word_token(&s[st..i]));
            }
            if b == b'(' {
                out.push(Token::Open);
            } else if b == b')' {
                out.push(Token::Close);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(word_token(&s[st..]));
    }
    out
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.pos)
    }

    fn or(&mut self) -> Option<Expr> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Some(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Option<Expr> {
        let mut items = vec![self.with()?];
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            items.push(self.with()?);
        }
        Some(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn with(&mut self) -> Option<Expr> {
        let base = self.primary()?;
        if self.peek() == Some(&Token::With) {
            self.pos += 1;
            let Some(Token::Word(w)) = self.tokens.get(self.pos) else {
                return None;
            };
            self.pos += 1;
            if matches!(base, Expr::Known(_))
                && let Some(e) = canonical_exception(w)
            {
                return Some(Expr::With(Box::new(base), e.to_string()));
            }
            // An unknown exception: the whole `X WITH Y` is one unknown operand.
            let left = base.render(&mut str::to_string);
            return Some(Expr::Unknown(format!("{left} WITH {w}")));
        }
        Some(base)
    }

    fn primary(&mut self) -> Option<Expr> {
        match self.tokens.get(self.pos)? {
            Token::Open => {
                self.depth += 1;
                if self.depth > 32 {
                    return None;
                }
                self.pos += 1;
                let e = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return None;
                }
                self.pos += 1;
                self.depth -= 1;
                Some(e)
            }
            Token::Word(w) => {
                self.pos += 1;
                Some(match resolve_operand(w) {
                    Some(id) => Expr::Known(id),
                    None => Expr::Unknown((*w).to_string()),
                })
            }
            _ => None,
        }
    }
}

/// Classifies one declared licence string. `None` for an empty string.
pub fn classify(declared: &str) -> Option<License> {
    let text = declared.trim();
    if text.is_empty() {
        return None;
    }
    // Licence expressions are short; anything longer is licence text (and is not worth
    // parsing: it comes from the image).
    if text.len() > MAX_EXPRESSION {
        return Some(License::Text(text.to_string()));
    }
    if let Some((_, id)) = PHRASES.iter().find(|(p, _)| p.eq_ignore_ascii_case(text)) {
        return Some(License::Id((*id).to_string()));
    }
    let replaced = replace_phrases(text);
    let mut parser = Parser {
        tokens: tokenize(&replaced),
        pos: 0,
        depth: 0,
    };
    let tree = match parser.or() {
        Some(t) if parser.pos == parser.tokens.len() => t,
        _ => return Some(License::Text(text.to_string())),
    };
    let mut unknown = Vec::new();
    tree.unknown_operands(&mut unknown);
    Some(match &tree {
        Expr::Unknown(_) => License::Text(text.to_string()),
        Expr::Known(id) if canonical_id(id).is_some() => License::Id(id.clone()),
        _ if unknown.is_empty() => License::Expression(tree.render(&mut str::to_string)),
        _ => {
            let unknown = unknown.into_iter().map(str::to_string).collect();
            License::Partial { tree, unknown }
        }
    })
}

/// Replaces the [`PHRASES`] that stand between operand boundaries (start, end, white
/// space, parentheses) by their ids.
fn replace_phrases(text: &str) -> String {
    let mut out = text.to_string();
    for (phrase, id) in PHRASES {
        let mut from = 0;
        loop {
            let lower = out.to_ascii_lowercase();
            let Some(at) = lower[from..].find(&phrase.to_ascii_lowercase()).map(|i| i + from) else {
                break;
            };
            let end = at + phrase.len();
            let bounded = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == '(' || c == ')');
            if bounded(out[..at].chars().next_back()) && bounded(out[end..].chars().next()) {
                out.replace_range(at..end, id);
                from = at + id.len();
            } else {
                from = end;
            }
        }
    }
    out
}

/// Turns arbitrary text into a `LicenseRef-` idstring (letters, digits, `.` and `-`).
pub fn license_ref_for(text: &str) -> String {
    let mut s = String::from("LicenseRef-");
    let mut last_dash = true;
    for c in text.chars().take(64) {
        if c.is_ascii_alphanumeric() || c == '.' {
            s.push(c);
            last_dash = false;
        } else if !last_dash {
            s.push('-');
            last_dash = true;
        }
    }
    while s.ends_with('-') && s.len() > "LicenseRef-".len() {
        s.pop();
    }
    if s.len() == "LicenseRef-".len() {
        s.push_str("unnamed");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> String {
        match classify(s) {
            Some(License::Id(x) | License::Expression(x) | License::Text(x)) => x,
            Some(License::Partial { tree, .. }) => tree.render(&mut |u| format!("?{u}")),
            None => String::new(),
        }
    }

    #[test]
    fn ids_expressions_and_text() {
        assert_eq!(classify("mit"), Some(License::Id("MIT".into())));
        assert_eq!(classify("GPL-2.0+"), Some(License::Id("GPL-2.0-or-later".into())));
        assert_eq!(classify("GPLv2"), Some(License::Id("GPL-2.0-only".into())));
        assert_eq!(
            classify("Apache License, Version 2.0"),
            Some(License::Id("Apache-2.0".into()))
        );
        assert_eq!(
            classify("MIT OR Apache-2.0"),
            Some(License::Expression("MIT OR Apache-2.0".into()))
        );
        assert_eq!(
            classify("Apache-2.0+"),
            Some(License::Expression("Apache-2.0+".into()))
        );
        assert_eq!(
            classify("(mit or apache-2.0) and bsd-3-clause"),
            Some(License::Expression("(MIT OR Apache-2.0) AND BSD-3-Clause".into()))
        );
        assert_eq!(
            classify("GPL-2.0-or-later WITH classpath-exception-2.0"),
            Some(License::Expression(
                "GPL-2.0-or-later WITH Classpath-exception-2.0".into()
            ))
        );
        assert_eq!(expr("GPL-2.0+ and BSD"), "GPL-2.0-or-later AND ?BSD");
        assert_eq!(expr("MIT WITH Nonsense-exception"), "MIT WITH Nonsense-exception");
        assert_eq!(
            expr("Apache-2.0 OR MIT WITH Nonsense-exception"),
            "Apache-2.0 OR ?MIT WITH Nonsense-exception"
        );
        assert_eq!(
            classify("Custom license text"),
            Some(License::Text("Custom license text".into()))
        );
        assert_eq!(classify("BSD"), Some(License::Text("BSD".into())));
        assert_eq!(classify("(MIT"), Some(License::Text("(MIT".into())));
        assert_eq!(classify("MIT AND"), Some(License::Text("MIT AND".into())));
        assert_eq!(classify("  "), None);
        assert_eq!(
            classify("LicenseRef-acme"),
            Some(License::Expression("LicenseRef-acme".into()))
        );
    }

    #[test]
    fn long_declarations_are_text() {
        let long = "ASL 2.0 and ".repeat(100_000);
        assert!(matches!(classify(&long), Some(License::Text(t)) if t.len() == long.trim().len()));
    }

    #[test]
    fn deep_nesting_is_text() {
        let s = format!("{}MIT{}", "(".repeat(100), ")".repeat(100));
        assert!(matches!(classify(&s), Some(License::Text(_))));
    }

    #[test]
    fn license_refs() {
        assert_eq!(
            license_ref_for("Custom license text"),
            "LicenseRef-Custom-license-text"
        );
        assert_eq!(license_ref_for("©®"), "LicenseRef-unnamed");
        assert!(is_license_ref(&license_ref_for("a_b c/d")));
        assert!(!is_license_ref("DocumentRef-x:LicenseRef-y"));
        assert!(!is_license_ref("LicenseRef-"));
    }
}
