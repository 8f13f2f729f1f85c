//! `go.mod`.
//!
//! Every `require` (single lines and blocks, `// indirect` or not) is reported with
//! `replace` directives applied: a module replaced by another module version is reported
//! as the replacement (that is the code that gets built); one replaced by a local
//! directory is [`Skipped`](super::Skipped). The Go toolchain is reported as the package
//! `stdlib`, as image catalogers report the toolchain a binary was built with: the
//! `toolchain` directive when there is one (`go1.22.5`), else the `go` directive, which
//! is the oldest toolchain that may build the module (`go 1.21` becomes `go1.21.0`).

use super::Ctx;
use crate::package::{PackageType, purl};

struct Require {
    path: String,
    version: String,
    line: u32,
}

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
}

pub(crate) fn parse(ctx: &mut Ctx<'_>, text: &str) {
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut go: Option<(String, u32)> = None;
    let mut toolchain: Option<(String, u32)> = None;
    let mut block: Option<(String, u32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let code = raw.split("//").next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let words = match tokens(code) {
            Ok(w) => w,
            Err(m) => {
                ctx.entry_error(Some(line), m);
                continue;
            }
        };
        let (verb, args): (String, &[String]) = if let Some((verb, _)) = &block {
            if words.len() == 1 && words[0] == ")" {
                block = None;
                continue;
            }
            (verb.clone(), &words[..])
        } else {
            if words.len() == 2 && words[1] == "(" {
                block = Some((words[0].clone(), line));
                continue;
            }
            (words[0].clone(), &words[1..])
        };
        match verb.as_str() {
            "module" | "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
            "go" | "toolchain" => {
                let Some(v) = args.first() else {
                    ctx.entry_error(Some(line), format!("`{verb}` without a version"));
                    continue;
                };
                if verb == "go" {
                    go = Some((v.clone(), line));
                } else {
                    toolchain = Some((v.clone(), line));
                }
            }
            "require" => match args {
                [path, version] => requires.push(Require {
                    path: path.clone(),
                    version: version.clone(),
                    line,
                }),
                _ => ctx.entry_error(Some(line), "expected `require MODULE VERSION`"),
            },
            "replace" => match replace(args) {
                Some(r) => replaces.push(r),
                None => ctx.entry_error(
                    Some(line),
                    "expected `replace MODULE [VERSION] => MODULE VERSION` or `=> DIRECTORY`",
                ),
            },
            other => ctx.entry_error(Some(line), format!("unknown directive {other:?}")),
        }
    }
    if let Some((verb, line)) = block {
        ctx.entry_error(Some(line), format!("`{verb} (` block is never closed"));
    }
    ctx.out.go_version = go.as_ref().map(|(v, _)| v.clone());

    let stdlib = match (&toolchain, &go) {
        (Some((t, line)), _) if t != "default" => Some((t.trim_start_matches("go").to_string(), *line)),
        (_, Some((g, line))) => {
            // `1.21` names the release `1.21.0`; `1.21rc1` and `1.21.3` are complete.
            let two_numbers = g.split('.').count() == 2
                && g.split('.')
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            let full = if two_numbers { format!("{g}.0") } else { g.clone() };
            Some((full, *line))
        }
        _ => None,
    };
    if let Some((plain, line)) = stdlib {
        let p = purl(PackageType::Go, None, "stdlib", &plain, &[]);
        ctx.add("stdlib", &format!("go{plain}"), p, Some(line));
    }

    for r in requires {
        let rep = replaces
            .iter()
            .find(|x| x.old == r.path && x.old_version.as_deref() == Some(&r.version))
            .or_else(|| {
                replaces
                    .iter()
                    .find(|x| x.old == r.path && x.old_version.is_none())
            });
        let (path, version) = match rep {
            Some(x) => {
                let Some(v) = &x.new_version else {
                    let reason = format!("replaced by the local directory {}", x.new);
                    ctx.skip(&r.path, Some(r.line), reason);
                    continue;
                };
                (x.new.clone(), v.clone())
            }
            None => (r.path, r.version),
        };
        let p = module_purl(&path, &version);
        ctx.add(&path, &version, p, Some(r.line));
    }
}

/// The purl of a Go module: the last path element is the name.
pub(crate) fn module_purl(path: &str, version: &str) -> String {
    match path.rsplit_once('/') {
        Some((ns, name)) => purl(PackageType::Go, Some(ns), name, version, &[]),
        None => purl(PackageType::Go, None, path, version, &[]),
    }
}

fn replace(args: &[String]) -> Option<Replace> {
    let arrow = args.iter().position(|a| a == "=>")?;
    let (left, right) = (&args[..arrow], &args[arrow + 1..]);
    let (old, old_version) = match left {
        [p] => (p.clone(), None),
        [p, v] => (p.clone(), Some(v.clone())),
        _ => return None,
    };
    let (new, new_version) = match right {
        [p] => (p.clone(), None),
        [p, v] => (p.clone(), Some(v.clone())),
        _ => return None,
    };
    // A module replaced by a module needs a version; a directory needs none.
    let is_dir =
        new.starts_with("./") || new.starts_with("../") || new.starts_with('/') || new == "." || new == "..";
    if is_dir == new_version.is_some() {
        return None;
    }
    Some(Replace {
        old,
        old_version,
        new,
        new_version,
    })
}

/// Splits a line into words; `"quoted"` and `` `raw` `` strings are one word each.
fn tokens(code: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '`' {
            chars.next();
            let mut w = String::new();
            loop {
                match chars.next() {
                    Some(x) if x == c => break,
                    Some('\\') if c == '"' => w.extend(chars.next()),
                    Some(x) => w.push(x),
                    None => return Err(format!("unterminated {c} string")),
                }
            }
            out.push(w);
        } else {
            let mut w = String::new();
            while let Some(&x) = chars.peek() {
                if x.is_whitespace() {
                    break;
                }
                w.push(x);
                chars.next();
            }
            out.push(w);
        }
    }
    Ok(out)
}
