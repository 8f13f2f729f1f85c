//! The tests benchmark items are made of: a file's mode or owner, a component flag, a
//! kubelet setting (flag over configuration file over default), and their evaluation into
//! a result with the evidence found.

use serde::Serialize;

use crate::node::{Component, NodeView};

/// The result of one benchmark item on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Fail,
    /// A manual item: a person checks it, with the guidance given.
    Warn,
    Pass,
    /// The item is about something this node does not have or run.
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Pass => "PASS",
            Status::NotApplicable => "N/A",
        }
    }
}

/// What was found, and where: a flag and its value, a setting, a file's mode or owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub found: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    /// A failure with one piece of evidence.
    pub fn fail(found: impl Into<String>, file: Option<String>, line: Option<u32>) -> Outcome {
        Outcome {
            status: Status::Fail,
            evidence: vec![Evidence {
                found: found.into(),
                file,
                line,
            }],
        }
    }

    pub fn na(found: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::NotApplicable,
            evidence: vec![Evidence {
                found: found.into(),
                file: None,
                line: None,
            }],
        }
    }
}

/// What a flag or setting value must be.
#[derive(Debug, Clone, Copy)]
pub enum Cond {
    /// Equal to this value (booleans compared case-insensitively).
    Is(&'static str),
    /// Anything but this value; unset passes when the default is not it either.
    IsNot(&'static str),
    /// Set to a non-empty value.
    Set,
    /// Not set at all.
    Unset,
    /// A comma-separated list that has this item.
    Has(&'static str),
    /// A comma-separated list without this item.
    Lacks(&'static str),
    /// An integer at least this large.
    AtLeast(i64),
    /// A duration other than zero (`0`, `0s`, `0m` mean "never time out").
    NonZeroDuration,
    /// Only strong TLS cipher suites (no RC4, 3DES, CBC-SHA1 or non-ECDHE key exchange).
    StrongCiphers,
    /// An address (`host` or `host:port`) on the loopback interface.
    Loopback,
}

impl Cond {
    pub fn holds(self, value: Option<&str>) -> bool {
        let items = || value.into_iter().flat_map(|v| v.split(',')).map(str::trim);
        match self {
            Cond::Is(x) => value.is_some_and(|v| v == x || (is_bool(x) && v.eq_ignore_ascii_case(x))),
            Cond::IsNot(x) => !value.is_some_and(|v| v == x || (is_bool(x) && v.eq_ignore_ascii_case(x))),
            Cond::Set => value.is_some_and(|v| !v.trim().is_empty()),
            Cond::Unset => value.is_none(),
            Cond::Has(x) => items().any(|i| i == x),
            Cond::Lacks(x) => !items().any(|i| i == x),
            Cond::AtLeast(n) => value
                .and_then(|v| v.trim().parse::<i64>().ok())
                .is_some_and(|v| v >= n),
            Cond::NonZeroDuration => value.is_none_or(|v| !is_zero_duration(v)),
            Cond::StrongCiphers => {
                value.is_some_and(|v| !v.trim().is_empty() && v.split(',').map(str::trim).all(strong_cipher))
            }
            Cond::Loopback => value.is_some_and(is_loopback),
        }
    }

    /// The result of a value against the condition: what was found, with the requirement
    /// added when it fails, and where.
    pub fn judge(
        self,
        value: Option<&str>,
        found: String,
        file: Option<String>,
        line: Option<u32>,
    ) -> Outcome {
        let ok = self.holds(value);
        Outcome {
            status: if ok { Status::Pass } else { Status::Fail },
            evidence: vec![Evidence {
                found: if ok {
                    found
                } else {
                    format!("{found}; {}", self.describe())
                },
                file,
                line,
            }],
        }
    }

    /// The requirement, in words, for the evidence of a failure.
    pub fn describe(self) -> String {
        match self {
            Cond::Is(x) => format!("must be {x}"),
            Cond::IsNot(x) => format!("must not be {x}"),
            Cond::Set => "must be set".into(),
            Cond::Unset => "must not be set".into(),
            Cond::Has(x) => format!("must include {x}"),
            Cond::Lacks(x) => format!("must not include {x}"),
            Cond::AtLeast(n) => format!("must be at least {n}"),
            Cond::NonZeroDuration => "must not be 0 (no timeout)".into(),
            Cond::StrongCiphers => "must list only strong cipher suites".into(),
            Cond::Loopback => "must be a loopback address (127.0.0.1)".into(),
        }
    }
}

fn is_loopback(v: &str) -> bool {
    let v = v.trim();
    let host = if let Some(rest) = v.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else if v.matches(':').count() == 1 {
        v.split(':').next().unwrap_or("")
    } else {
        v
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

fn is_bool(x: &str) -> bool {
    x == "true" || x == "false"
}

fn is_zero_duration(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && v.chars()
            .all(|c| matches!(c, '0' | '.' | 'h' | 'm' | 's' | 'u' | 'n' | 'µ'))
}

/// The cipher suites the benchmark accepts: AEAD suites with ECDHE key exchange.
fn strong_cipher(s: &str) -> bool {
    const STRONG: &[&str] = &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ];
    STRONG.contains(&s)
}

/// A file the benchmark names.
#[derive(Debug, Clone, Copy)]
pub enum FileRef {
    /// The static pod manifest of a component.
    Manifest(Component),
    /// A file in the Kubernetes configuration directory (`/etc/kubernetes` for kubeadm).
    KubeDir(&'static str),
    /// The file a component flag names, or this default path when the flag is not set.
    FlagPath(Component, &'static str, Option<&'static str>),
    /// The file a kubelet setting names (flag over configuration file).
    KubeletPath(&'static str, &'static str, Option<&'static str>),
    /// The kubelet's systemd unit files.
    KubeletUnits,
    /// The kubelet configuration file and its drop-in files.
    KubeletConfig,
    /// Every file in a directory (CNI configuration).
    DirFiles(&'static str),
    /// The PKI directory and everything under it.
    PkiTree,
    /// Files of the PKI directory, recursively, whose name ends with this suffix.
    PkiFiles(&'static str),
    /// The etcd data directory (`--data-dir`, default `/var/lib/etcd`).
    EtcdDataDir,
}

/// A benchmark test.
#[derive(Debug, Clone, Copy)]
pub enum Test {
    /// Permission bits no looser than this mode.
    Mode(FileRef, u32),
    /// Owned by this `user:group`.
    Owner(FileRef, &'static str),
    /// A flag of a component: its given value, else `default` (the component's built-in
    /// default when it has one), must satisfy the condition.
    Flag {
        component: Component,
        flag: &'static str,
        default: Option<&'static str>,
        cond: Cond,
    },
    /// A kubelet setting: the flag when given, else the configuration-file field, else the
    /// default (which differs between a kubelet with a configuration file and one without).
    Kubelet {
        flag: &'static str,
        field: &'static str,
        default_config: Option<&'static str>,
        default_flags: Option<&'static str>,
        cond: Cond,
    },
    /// Every test passes.
    All(&'static [Test]),
    /// At least one test passes.
    Any(&'static [Test]),
    /// Not automatable: a person checks it.
    Manual,
    /// A test of its own.
    Custom(fn(&NodeView) -> Outcome),
}

impl Test {
    pub fn evaluate(&self, node: &NodeView) -> Outcome {
        match *self {
            Test::Manual => Outcome {
                status: Status::Warn,
                evidence: Vec::new(),
            },
            Test::Mode(file, mode) => files_test(node, file, |m| {
                let loose = m.mode & !mode & 0o777;
                (
                    loose == 0,
                    format!("mode {:o}", m.mode),
                    format!("mode {mode:o} or stricter"),
                )
            }),
            Test::Owner(file, owner) => files_test(node, file, |m| {
                let want_root = owner == "root:root";
                let ok = if want_root {
                    m.uid == 0 && m.gid == 0
                } else {
                    m.owner() == owner
                };
                (ok, format!("owner {}", m.owner()), format!("owner {owner}"))
            }),
            Test::Flag {
                component,
                flag,
                default,
                cond,
            } => {
                let Some(run) = node.component(component) else {
                    return Outcome::na(format!("{} does not run on this node", component.binary()));
                };
                let given = run.flags.get(flag);
                let value = if matches!(cond, Cond::Has(_) | Cond::Lacks(_)) && given.is_some() {
                    Some(run.flags.items(flag).join(","))
                } else {
                    run.flags.value(flag).map(str::to_string)
                };
                let effective = value.clone().or_else(|| default.map(str::to_string));
                let found = match (&value, default) {
                    (Some(v), _) => format!("{} --{flag}={v}", component.binary()),
                    (None, Some(d)) => format!("{} --{flag} not set (default {d})", component.binary()),
                    (None, None) => format!("{} --{flag} not set", component.binary()),
                };
                let (file, line) = match given {
                    Some(f) => (Some(f.origin.file.clone()), f.origin.pos.map(|p| p.line)),
                    None => (Some(run.source.clone()), None),
                };
                cond.judge(effective.as_deref(), found, file, line)
            }
            Test::Kubelet {
                flag,
                field,
                default_config,
                default_flags,
                cond,
            } => {
                let Some(kubelet) = node.component(Component::Kubelet) else {
                    return Outcome::na("the kubelet does not run on this node");
                };
                let (value, found, file, line) = if let Some(f) = kubelet.flags.get(flag) {
                    let v = f.value.clone().unwrap_or_else(|| "true".into());
                    (
                        Some(v.clone()),
                        format!("kubelet --{flag}={v}"),
                        Some(f.origin.file.clone()),
                        f.origin.pos.map(|p| p.line),
                    )
                } else if node.kubelet_has_config() && !field.is_empty() {
                    match node.kubelet_setting(field) {
                        Some((v, cfg, n)) => (
                            Some(v.clone()),
                            format!("kubelet configuration {field}: {v}"),
                            Some(cfg.path.clone()),
                            Some(n.pos.line),
                        ),
                        None => (
                            default_config.map(str::to_string),
                            format!(
                                "kubelet configuration {field} not set{}",
                                default_config
                                    .map(|d| format!(" (default {d})"))
                                    .unwrap_or_default()
                            ),
                            node.kubelet_config_path.clone(),
                            None,
                        ),
                    }
                } else {
                    (
                        default_flags.map(str::to_string),
                        format!(
                            "kubelet --{flag} not set and no configuration file{}",
                            default_flags
                                .map(|d| format!(" (default {d})"))
                                .unwrap_or_default()
                        ),
                        Some(kubelet.source.clone()),
                        None,
                    )
                };
                cond.judge(value.as_deref(), found, file, line)
            }
            Test::Custom(f) => f(node),
            Test::All(tests) => combine(node, tests, true),
            Test::Any(tests) => combine(node, tests, false),
        }
    }
}

/// `All` fails when one part fails; `Any` passes when one part passes. Not-applicable
/// parts are left out; when every part is, so is the whole.
fn combine(node: &NodeView, tests: &[Test], all: bool) -> Outcome {
    let outcomes: Vec<Outcome> = tests.iter().map(|t| t.evaluate(node)).collect();
    let applicable: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status != Status::NotApplicable)
        .collect();
    if applicable.is_empty() {
        return outcomes
            .into_iter()
            .next()
            .unwrap_or_else(|| Outcome::na("nothing to check"));
    }
    let pass = if all {
        applicable.iter().all(|o| o.status == Status::Pass)
    } else {
        applicable.iter().any(|o| o.status == Status::Pass)
    };
    Outcome {
        status: if pass { Status::Pass } else { Status::Fail },
        evidence: applicable.into_iter().flat_map(|o| o.evidence.clone()).collect(),
    }
}

/// Node paths of the files a reference names, with how to read it when none exists.
fn resolve_files(node: &NodeView, file: FileRef) -> Result<Vec<String>, String> {
    let kube = node.distribution.kube_dir();
    let one = |p: String| {
        if node.fs.exists(&p) {
            Ok(vec![p])
        } else {
            Err(format!("{p} not found"))
        }
    };
    match file {
        FileRef::Manifest(c) => {
            let p = format!("{}/{}.yaml", node.distribution.manifest_dir(), c.binary());
            one(p)
        }
        FileRef::KubeDir(name) => one(format!("{kube}/{name}")),
        FileRef::FlagPath(c, flag, default) => {
            let Some(run) = node.component(c) else {
                return Err(format!("{} does not run on this node", c.binary()));
            };
            match run.flags.value(flag).filter(|v| !v.is_empty()).or(default) {
                Some(p) => one(p.to_string()),
                None => Err(format!("{} --{flag} is not set", c.binary())),
            }
        }
        FileRef::KubeletPath(flag, field, default) => {
            let Some(kubelet) = node.component(Component::Kubelet) else {
                return Err("the kubelet does not run on this node".into());
            };
            let from_config = node.kubelet_setting(field).map(|(v, _, _)| v);
            let given = match kubelet.flags.value(flag) {
                Some(v) => Some(v.to_string()),
                None => from_config,
            };
            match given.filter(|v| !v.is_empty()).or(default.map(str::to_string)) {
                Some(p) => one(p),
                None => Err(format!("kubelet --{flag} ({field}) is not set")),
            }
        }
        FileRef::KubeletUnits => {
            if node.kubelet_units.is_empty() {
                Err("no kubelet systemd unit found".into())
            } else {
                Ok(node.kubelet_units.clone())
            }
        }
        FileRef::KubeletConfig => {
            // The configuration file and its drop-ins (`--config-dir`) alike.
            let dropins = node.kubelet_dropins.iter().map(|c| c.path.clone());
            match &node.kubelet_config_path {
                Some(p) => one(p.clone()).map(|mut files| {
                    files.extend(dropins);
                    files
                }),
                None if !node.kubelet_dropins.is_empty() => Ok(dropins.collect()),
                None => Err("the kubelet uses no configuration file".into()),
            }
        }
        FileRef::DirFiles(dir) => {
            let files: Vec<String> = node.fs.walk(dir, 10_000);
            if files.is_empty() {
                Err(format!("no files in {dir}"))
            } else {
                Ok(files)
            }
        }
        FileRef::PkiTree => {
            let dir = node.distribution.pki_dir();
            if !node.fs.exists(&dir) {
                return Err(format!("{dir} not found"));
            }
            let mut all = vec![dir.clone()];
            all.extend(node.fs.walk(&dir, 10_000));
            Ok(all)
        }
        FileRef::PkiFiles(suffix) => {
            let dir = node.distribution.pki_dir();
            let files: Vec<String> = node
                .fs
                .walk(&dir, 10_000)
                .into_iter()
                .filter(|f| f.ends_with(suffix))
                .collect();
            if files.is_empty() {
                Err(format!("no {suffix} files in {dir}"))
            } else {
                Ok(files)
            }
        }
        FileRef::EtcdDataDir => {
            let default = if matches!(node.distribution, crate::node::Distribution::K3s) {
                "/var/lib/rancher/k3s/server/db/etcd"
            } else {
                "/var/lib/etcd"
            };
            let Some(etcd) = node.component(Component::Etcd) else {
                return Err("etcd does not run on this node".into());
            };
            one(etcd.flags.value("data-dir").unwrap_or(default).to_string())
        }
    }
}

fn files_test(
    node: &NodeView,
    file: FileRef,
    judge: impl Fn(&crate::fs::FileMeta) -> (bool, String, String),
) -> Outcome {
    let files = match resolve_files(node, file) {
        Ok(f) => f,
        Err(why) => return Outcome::na(why),
    };
    let mut evidence = Vec::new();
    let mut failed = Vec::new();
    for f in files {
        match node.fs.meta(&f) {
            Ok(m) => {
                let (ok, found, want) = judge(&m);
                let e = Evidence {
                    found: if ok {
                        found
                    } else {
                        format!("{found}; must be {want}")
                    },
                    file: Some(f),
                    line: None,
                };
                if ok {
                    evidence.push(e);
                } else {
                    failed.push(e);
                }
            }
            Err(e) => failed.push(Evidence {
                found: format!("cannot read its mode and owner: {e}"),
                file: Some(f),
                line: None,
            }),
        }
    }
    if failed.is_empty() {
        // A tree of hundreds of files passes with a summary, not a line per file.
        if evidence.len() > 3 {
            let n = evidence.len();
            evidence.truncate(3);
            evidence.push(Evidence {
                found: format!("and {} more file(s), all passing", n - 3),
                file: None,
                line: None,
            });
        }
        Outcome {
            status: Status::Pass,
            evidence,
        }
    } else {
        Outcome {
            status: Status::Fail,
            evidence: failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions() {
        assert!(Cond::Is("false").holds(Some("False")));
        assert!(!Cond::Is("false").holds(None));
        assert!(Cond::IsNot("0").holds(None));
        assert!(!Cond::IsNot("0").holds(Some("0")));
        assert!(Cond::Has("NodeRestriction").holds(Some("AlwaysPullImages, NodeRestriction")));
        assert!(!Cond::Has("NodeRestriction").holds(Some("NodeRestrictionX")));
        assert!(Cond::Lacks("AlwaysAdmit").holds(None));
        assert!(Cond::AtLeast(30).holds(Some("30")));
        assert!(!Cond::AtLeast(30).holds(Some("29")));
        assert!(!Cond::AtLeast(30).holds(Some("thirty")));
        assert!(!Cond::NonZeroDuration.holds(Some("0s")));
        assert!(Cond::NonZeroDuration.holds(Some("4h0m0s")));
        assert!(Cond::NonZeroDuration.holds(None));
        assert!(Cond::StrongCiphers.holds(Some(
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"
        )));
        assert!(!Cond::StrongCiphers.holds(Some("TLS_RSA_WITH_AES_128_CBC_SHA")));
        assert!(!Cond::StrongCiphers.holds(None));
        assert!(Cond::Loopback.holds(Some("127.0.0.1:10249")));
        assert!(Cond::Loopback.holds(Some("[::1]:10249")));
        assert!(!Cond::Loopback.holds(Some("0.0.0.0:10249")));
        assert!(!Cond::Loopback.holds(Some("10.0.0.1")));
    }
}
