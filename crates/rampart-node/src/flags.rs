//! Command-line flags of a Kubernetes component, as its flag parser (spf13/pflag) reads
//! them: `--name=value` and `--name value`, boolean flags given alone, and flags given more
//! than once (the last value wins; list flags such as `--enable-admission-plugins` are read
//! from every occurrence).

use rampart_model::Pos;

/// Where a flag was given, for the evidence of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The node path of the file the flag was read from (a static pod manifest, a systemd
    /// unit, an environment file, `/proc/<pid>/cmdline`).
    pub file: String,
    pub pos: Option<Pos>,
}

/// One occurrence of a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    /// `None` for a flag given without a value (`--profiling`): pflag reads that as `true`
    /// for a boolean flag.
    pub value: Option<String>,
    pub origin: Origin,
}

/// The flags of one component invocation, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub list: Vec<Flag>,
}

/// Flags known to be boolean: given alone, they take no value from the next word.
const BOOLEAN: &[&str] = &[
    "anonymous-auth",
    "profiling",
    "allow-privileged",
    "client-cert-auth",
    "peer-client-cert-auth",
    "auto-tls",
    "peer-auto-tls",
    "use-service-account-credentials",
    "rotate-certificates",
    "protect-kernel-defaults",
    "make-iptables-util-chains",
    "insecure-skip-tls-verify",
    "service-account-lookup",
    "enable-bootstrap-token-auth",
    "authentication-token-webhook",
];

impl Flags {
    /// Reads the flags out of `args` (the words after the program name). Words that are not
    /// flags and are not a flag's value are ignored: components take no positional
    /// arguments.
    pub fn parse<'a>(args: impl IntoIterator<Item = (&'a str, Origin)>) -> Flags {
        let words: Vec<(&str, Origin)> = args.into_iter().collect();
        let mut list = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let (w, origin) = (&words[i].0, &words[i].1);
            i += 1;
            let Some(body) = w.strip_prefix("--").or_else(|| w.strip_prefix('-')) else {
                continue;
            };
            if body.is_empty() {
                break; // `--` ends the flags
            }
            let (name, value) = if let Some((n, v)) = body.split_once('=') {
                (n, Some(v.to_string()))
            } else {
                let takes_next =
                    !BOOLEAN.contains(&body) && words.get(i).is_some_and(|(next, _)| !next.starts_with('-'));
                if takes_next {
                    i += 1;
                    (body, Some(words[i - 1].0.to_string()))
                } else {
                    (body, None)
                }
            };
            list.push(Flag {
                name: name.to_string(),
                value,
                origin: origin.clone(),
            });
        }
        Flags { list }
    }

    /// The last occurrence of a flag.
    pub fn get(&self, name: &str) -> Option<&Flag> {
        self.list.iter().rev().find(|f| f.name == name)
    }

    /// The effective value of a flag: its last value, `true` for a flag given alone.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(|f| f.value.as_deref().unwrap_or("true"))
    }

    /// The items of a list flag: every occurrence, split at commas, in order.
    pub fn items(&self, name: &str) -> Vec<&str> {
        self.list
            .iter()
            .filter(|f| f.name == name)
            .filter_map(|f| f.value.as_deref())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Adds flags given after these ones (later flags win).
    pub fn extend(&mut self, other: Flags) {
        self.list.extend(other.list);
    }
}

/// Splits a command line the way a shell does for the simple cases systemd units and
/// environment files use: whitespace between words, single and double quotes, backslash
/// escapes.
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> Flags {
        let o = Origin {
            file: "t".into(),
            pos: None,
        };
        Flags::parse(args.iter().map(|a| (*a, o.clone())))
    }

    #[test]
    fn both_forms_and_repeats() {
        let f = flags(&[
            "--profiling=false",
            "--audit-log-maxage",
            "30",
            "--enable-admission-plugins=NodeRestriction",
            "--anonymous-auth",
            "--enable-admission-plugins=AlwaysPullImages,EventRateLimit",
            "--profiling=true",
            "stray",
        ]);
        assert_eq!(f.value("profiling"), Some("true"), "the last occurrence wins");
        assert_eq!(f.value("audit-log-maxage"), Some("30"));
        assert_eq!(
            f.value("anonymous-auth"),
            Some("true"),
            "a boolean flag alone is true"
        );
        assert_eq!(
            f.items("enable-admission-plugins"),
            ["NodeRestriction", "AlwaysPullImages", "EventRateLimit"]
        );
        assert_eq!(f.value("stray"), None);
    }

    #[test]
    fn a_boolean_flag_alone_does_not_take_the_next_word() {
        let f = flags(&["--anonymous-auth", "false", "--read-only-port", "0"]);
        assert_eq!(
            f.value("anonymous-auth"),
            Some("true"),
            "pflag reads `false` here as a stray word"
        );
        assert_eq!(f.value("read-only-port"), Some("0"));
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            split_words(r#"--a=1 --b="x y" '--c=$d' --e\ f"#),
            ["--a=1", "--b=x y", "--c=$d", "--e f"]
        );
        assert!(split_words("   ").is_empty());
        assert_eq!(split_words(r#"--x="""#), ["--x="]);
    }
}
