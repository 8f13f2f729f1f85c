//! Distribution detection: `/etc/os-release` (or `/usr/lib/os-release`), and where neither
//! exists the older distribution files (`/etc/lsb-release`, `/etc/alpine-release`,
//! `/etc/redhat-release` and its siblings, `/etc/debian_version`), mapped to the OSV
//! ecosystem that publishes advisories for the distribution's packages.

use crate::Distro;
use crate::catalog::CatalogInput;

/// os-release files, in the order systemd reads them.
const OS_RELEASE: [&str; 2] = ["/etc/os-release", "/usr/lib/os-release"];

/// Release files of distributions without os-release (or older than it), in the order
/// they are tried. Ubuntu ships `/etc/debian_version` too, so `lsb-release` comes first;
/// `/etc/redhat-release` is usually a link to one of the specific files.
const RELEASE_FILES: [&str; 8] = [
    "/etc/lsb-release",
    "/etc/alpine-release",
    "/etc/almalinux-release",
    "/etc/rocky-release",
    "/etc/centos-release",
    "/etc/redhat-release",
    "/etc/system-release",
    "/etc/debian_version",
];

/// The files [`detect`] reads; the inventory always captures them.
pub fn wants(path: &str) -> bool {
    OS_RELEASE.contains(&path) || RELEASE_FILES.contains(&path)
}

/// The distribution, from the files [`wants`] asked for.
pub fn detect(input: &CatalogInput<'_>) -> Option<Distro> {
    for path in OS_RELEASE {
        if let Some(data) = input.read(path)
            && let Some(d) = from_os_release(&String::from_utf8_lossy(data))
        {
            return Some(d);
        }
    }
    for path in RELEASE_FILES {
        if let Some(data) = input.read(path)
            && let Some(d) = from_release_file(path, &String::from_utf8_lossy(data))
        {
            return Some(d);
        }
    }
    None
}

/// Parses an os-release file (shell-style `KEY=value` assignments, values optionally in
/// single or double quotes). Returns `None` when it has no `ID`.
pub fn from_os_release(text: &str) -> Option<Distro> {
    let vars = parse_assignments(text);
    let get = |key: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let id = get("ID")?.to_ascii_lowercase();
    let codename = get("VERSION_CODENAME");
    let version = get("VERSION");
    let version_id = get("VERSION_ID").or_else(|| {
        // Debian testing and unstable have no VERSION_ID; their codename says which.
        codename.clone()
    });
    let version_id = version_id.unwrap_or_default();
    let ecosystem = osv_ecosystem(&id, &version_id, version.as_deref(), get("CPE_NAME").as_deref());
    Some(Distro {
        id,
        version_id,
        version_codename: codename,
        pretty_name: get("PRETTY_NAME"),
        osv_ecosystem: ecosystem,
    })
}

/// Parses one of the older release files.
pub fn from_release_file(path: &str, text: &str) -> Option<Distro> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let (id, version_id, codename, pretty, lts) = match path {
        "/etc/lsb-release" => {
            let vars = parse_assignments(text);
            let get = |key: &str| vars.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            let id = get("DISTRIB_ID")?.to_ascii_lowercase();
            let description = get("DISTRIB_DESCRIPTION");
            let lts = description.as_deref().is_some_and(|d| d.contains("LTS"));
            (
                id,
                get("DISTRIB_RELEASE")?,
                get("DISTRIB_CODENAME"),
                description,
                lts,
            )
        }
        "/etc/alpine-release" => ("alpine".to_string(), first.to_string(), None, None, false),
        "/etc/debian_version" => {
            // `12.5` on a release, `trixie/sid` on testing and unstable.
            if first.starts_with(|c: char| c.is_ascii_digit()) {
                let major = first.split('.').next().unwrap_or(first).to_string();
                ("debian".to_string(), major, None, None, false)
            } else {
                let codename = first.split('/').next().unwrap_or(first).to_string();
                (
                    "debian".to_string(),
                    codename.clone(),
                    Some(codename),
                    None,
                    false,
                )
            }
        }
        _ => {
            // `Rocky Linux release 9.3 (Blue Onyx)`, `CentOS Linux release 7.9.2009 (Core)`.
            let (name, rest) = first.split_once(" release ")?;
            let version = rest.split_whitespace().next()?.to_string();
            let codename = rest
                .split_once('(')
                .and_then(|(_, c)| c.strip_suffix(')'))
                .map(str::to_string);
            let id = match name {
                n if n.starts_with("Red Hat Enterprise Linux") => "rhel",
                n if n.starts_with("CentOS") => "centos",
                n if n.starts_with("Rocky Linux") => "rocky",
                n if n.starts_with("AlmaLinux") => "almalinux",
                n if n.starts_with("Fedora") => "fedora",
                n if n.starts_with("Oracle Linux") => "ol",
                n if n.starts_with("Amazon Linux") => "amzn",
                _ => return None,
            };
            (id.to_string(), version, codename, Some(first.to_string()), false)
        }
    };
    let version = lts.then_some("LTS");
    let ecosystem = osv_ecosystem(&id, &version_id, version, None);
    Some(Distro {
        id,
        version_id,
        version_codename: codename,
        pretty_name: pretty,
        osv_ecosystem: ecosystem,
    })
}

/// The OSV ecosystem of a distribution's packages (names as listed in the OSV schema's
/// `ecosystems.json`), or `None` when OSV publishes nothing for it.
///
/// `version` is os-release's `VERSION` (it says `LTS` on Ubuntu's long-term releases) and
/// `cpe` its `CPE_NAME` (Red Hat's ecosystems are named after the product CPE).
pub fn osv_ecosystem(id: &str, version_id: &str, version: Option<&str>, cpe: Option<&str>) -> Option<String> {
    let major = version_id.split('.').next().filter(|m| is_number(m));
    let major_minor = || {
        let mut parts = version_id.split('.');
        let (a, b) = (parts.next()?, parts.next()?);
        (is_number(a) && is_number(b)).then(|| format!("{a}.{b}"))
    };
    match id {
        "debian" => major.map(|m| format!("Debian:{m}")),
        "ubuntu" => {
            let release = major_minor()?;
            let lts = match version {
                Some(v) => v.contains("LTS"),
                // Without VERSION: the April releases of even years are the LTS ones.
                None => {
                    release.ends_with(".04")
                        && major
                            .and_then(|m| m.parse::<u32>().ok())
                            .is_some_and(|y| y % 2 == 0)
                }
            };
            Some(if lts {
                format!("Ubuntu:{release}:LTS")
            } else {
                format!("Ubuntu:{release}")
            })
        }
        "alpine" => {
            // `3.21.0_alpha20240807` is edge: no release branch yet.
            if version_id.contains("_alpha") {
                return None;
            }
            major_minor().map(|r| format!("Alpine:v{r}"))
        }
        "almalinux" => major.map(|m| format!("AlmaLinux:{m}")),
        "rocky" => major.map(|m| format!("Rocky Linux:{m}")),
        "rhel" => {
            // `cpe:/o:redhat:enterprise_linux:9::baseos` -> `Red Hat:enterprise_linux:9::baseos`.
            if let Some(rest) = cpe.and_then(|c| {
                c.strip_prefix("cpe:/o:redhat:")
                    .or_else(|| c.strip_prefix("cpe:/a:redhat:"))
            }) && !rest.is_empty()
            {
                return Some(format!("Red Hat:{rest}"));
            }
            major.map(|m| format!("Red Hat:enterprise_linux:{m}::baseos"))
        }
        "mageia" => major.map(|m| format!("Mageia:{m}")),
        "photon" => major_minor().map(|r| format!("Photon OS:{r}")),
        "wolfi" => Some("Wolfi".to_string()),
        "chainguard" => Some("Chainguard".to_string()),
        _ => None,
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `KEY=value` lines with shell quoting (the subset os-release allows): double quotes with
/// backslash escapes, single quotes taken literally, `#` comments.
fn parse_assignments(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        out.push((key.to_string(), unquote(raw.trim())));
    }
    out
}

fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => break,
            (None, c) if c.is_whitespace() => break,
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            (_, c) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_the_shell_subset() {
        assert_eq!(
            unquote(r#""Debian GNU/Linux 12 (bookworm)""#),
            "Debian GNU/Linux 12 (bookworm)"
        );
        assert_eq!(unquote("'it''s'"), "its");
        assert_eq!(unquote(r#""a \"b\" \\ c""#), r#"a "b" \ c"#);
        assert_eq!(unquote("plain # comment"), "plain");
        assert_eq!(unquote("\"unterminated"), "unterminated");
    }

    #[test]
    fn ubuntu_lts_without_version_is_guessed_from_the_release() {
        assert_eq!(
            osv_ecosystem("ubuntu", "24.04", None, None).as_deref(),
            Some("Ubuntu:24.04:LTS")
        );
        assert_eq!(
            osv_ecosystem("ubuntu", "23.04", None, None).as_deref(),
            Some("Ubuntu:23.04")
        );
        assert_eq!(
            osv_ecosystem("ubuntu", "24.10", Some("24.10 (Oracular Oriole)"), None).as_deref(),
            Some("Ubuntu:24.10")
        );
        assert_eq!(osv_ecosystem("debian", "", None, None), None);
        assert_eq!(osv_ecosystem("alpine", "3.21.0_alpha20240807", None, None), None);
    }
}
