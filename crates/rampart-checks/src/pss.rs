//! The Kubernetes Pod Security Standards, decided exactly as the API server's Pod Security
//! Admission decides them, for every policy version from v1.0 to the newest.
//!
//! A policy is a level (`privileged`, `baseline`, `restricted`) and a version. Each control
//! has one or more implementations, each valid from a minimum version until the next; the
//! restricted level runs every baseline control except those a restricted control
//! replaces (`restrictedVolumes` replaces `hostPathVolumes`, `capabilities_restricted`
//! replaces `capabilities_baseline` from v1.22, `seccompProfile_restricted` replaces
//! `seccompProfile_baseline` from v1.19, `procMount_restricted` replaces `procMount` from
//! v1.35). A version newer than the newest known one is evaluated as the newest, as the
//! API server does.
//!
//! The reasons and details of violations use the API server's wording, so a message reads
//! like the one `kubectl apply` prints. Each violation also carries the position of the
//! first offending field (or of the nearest existing parent of a missing one).
//!
//! Like the API server, a volume without any source is read as `emptyDir` (that is how it
//! is defaulted before admission), and a field set to `null` counts as unset.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use rampart_model::{Container, Node, PodSpec, Pos};

/// The newest policy version this evaluator knows (`latest` means this one).
pub const LATEST_MINOR: u32 = 37;

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version: `latest` or `v1.N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    Latest,
    /// The minor version of `v1.N`.
    Minor(u32),
}

impl Version {
    /// Parses `latest`, `v1.N` (what the `pod-security.kubernetes.io/*-version` labels
    /// hold), and for convenience `1.N`.
    pub fn parse(s: &str) -> Result<Version, String> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let rest = s.strip_prefix('v').unwrap_or(s);
        let bad = || {
            format!(
                "invalid policy version {s:?}: expected \"latest\" or \"v1.N\" (v1.0 to v1.{LATEST_MINOR})"
            )
        };
        let (major, minor) = rest.split_once('.').ok_or_else(bad)?;
        let digits = |t: &str| {
            !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && (t == "0" || !t.starts_with('0'))
        };
        if major != "1" || !digits(minor) {
            return Err(bad());
        }
        minor.parse().map(Version::Minor).map_err(|_| bad())
    }

    /// The minor version the policy is evaluated at (newer than the newest known: the newest).
    pub fn effective_minor(self) -> u32 {
        match self {
            Version::Latest => LATEST_MINOR,
            Version::Minor(m) => m.min(LATEST_MINOR),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Minor(m) => write!(f, "v1.{m}"),
        }
    }
}

/// One violated control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The control's name as Kubernetes spells it (`hostNamespaces`, `runAsNonRoot`, ...).
    pub control: &'static str,
    /// The API server's short reason (`host namespaces`).
    pub reason: String,
    /// The API server's detail (`hostNetwork=true, hostPID=true`); may be empty.
    pub detail: String,
    /// Where the first offending field is (or the nearest parent of a missing one).
    pub pos: Pos,
    /// Dotted path of that field, relative to the pod spec's object.
    pub path: String,
}

impl Violation {
    /// `reason (detail)`, as in the API server's denial message.
    pub fn message(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// Every control: its name, the level that introduces it, and the first version it applies.
pub struct Control {
    pub name: &'static str,
    pub level: Level,
    pub since: u32,
    /// The baseline control this restricted control replaces in the restricted level, and
    /// from which version.
    pub replaces: Option<(&'static str, u32)>,
    eval: fn(&Pod<'_>, u32) -> Option<Violation>,
}

/// All controls, baseline first then restricted, each sorted by name: the order in which
/// the API server lists violations.
pub static CONTROLS: &[Control] = &[
    Control {
        name: "appArmorProfile",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: app_armor_profile,
    },
    Control {
        name: "capabilities_baseline",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: capabilities_baseline,
    },
    Control {
        name: "hostNamespaces",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: host_namespaces,
    },
    Control {
        name: "hostPathVolumes",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: host_path_volumes,
    },
    Control {
        name: "hostPorts",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: host_ports,
    },
    Control {
        name: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        since: 34,
        replaces: None,
        eval: host_probes_and_lifecycle,
    },
    Control {
        name: "privileged",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: privileged,
    },
    Control {
        name: "procMount",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: proc_mount_baseline,
    },
    Control {
        name: "seLinuxOptions",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: selinux_options,
    },
    Control {
        name: "seccompProfile_baseline",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: seccomp_baseline,
    },
    Control {
        name: "sysctls",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: sysctls,
    },
    Control {
        name: "windowsHostProcess",
        level: Level::Baseline,
        since: 0,
        replaces: None,
        eval: windows_host_process,
    },
    Control {
        name: "allowPrivilegeEscalation",
        level: Level::Restricted,
        since: 8,
        replaces: None,
        eval: allow_privilege_escalation,
    },
    Control {
        name: "capabilities_restricted",
        level: Level::Restricted,
        since: 22,
        replaces: Some(("capabilities_baseline", 22)),
        eval: capabilities_restricted,
    },
    Control {
        name: "procMount_restricted",
        level: Level::Restricted,
        since: 35,
        replaces: Some(("procMount", 35)),
        eval: proc_mount_restricted,
    },
    Control {
        name: "restrictedVolumes",
        level: Level::Restricted,
        since: 0,
        replaces: Some(("hostPathVolumes", 0)),
        eval: restricted_volumes,
    },
    Control {
        name: "runAsNonRoot",
        level: Level::Restricted,
        since: 0,
        replaces: None,
        eval: run_as_non_root,
    },
    Control {
        name: "runAsUser",
        level: Level::Restricted,
        since: 23,
        replaces: None,
        eval: run_as_user,
    },
    Control {
        name: "seccompProfile_restricted",
        level: Level::Restricted,
        since: 19,
        replaces: Some(("seccompProfile_baseline", 19)),
        eval: seccomp_restricted,
    },
];

/// The control named `name`.
pub fn control(name: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.name == name)
}

/// The controls a policy runs, in the API server's order.
pub fn controls_for(level: Level, version: Version) -> Vec<&'static Control> {
    let v = version.effective_minor();
    if level == Level::Privileged {
        return Vec::new();
    }
    let replaced: Vec<&str> = if level == Level::Restricted {
        CONTROLS
            .iter()
            .filter(|c| c.level == Level::Restricted)
            .filter_map(|c| c.replaces.filter(|&(_, from)| v >= from).map(|(name, _)| name))
            .collect()
    } else {
        Vec::new()
    };
    CONTROLS
        .iter()
        .filter(|c| c.level <= level && v >= c.since && !replaced.contains(&c.name))
        .collect()
}

/// Evaluates a pod spec against a policy: every violated control, in the API server's order.
pub fn evaluate(pod: &PodSpec<'_>, level: Level, version: Version) -> Vec<Violation> {
    let v = version.effective_minor();
    let p = Pod::new(pod);
    controls_for(level, version)
        .into_iter()
        .filter_map(|c| (c.eval)(&p, v))
        .collect()
}

/// Evaluates one control at a version, whatever the level (for checks that run one control).
pub fn evaluate_control(pod: &PodSpec<'_>, control: &Control, version: Version) -> Option<Violation> {
    let v = version.effective_minor();
    if v < control.since {
        return None;
    }
    (control.eval)(&Pod::new(pod), v)
}

/// The API server's denial message for a set of violations:
/// `violates PodSecurity "restricted:latest": a (x), b (y)`.
pub fn denial(level: Level, version: Version, violations: &[Violation]) -> String {
    let list: Vec<String> = violations.iter().map(Violation::message).collect();
    format!("violates PodSecurity \"{level}:{version}\": {}", list.join(", "))
}

// ---------------------------------------------------------------------------------------
// The pod as the controls see it.

struct Pod<'a> {
    spec: &'a PodSpec<'a>,
    containers: Vec<Container<'a>>,
}

impl<'a> Pod<'a> {
    fn new(spec: &'a PodSpec<'a>) -> Pod<'a> {
        Pod {
            spec,
            containers: spec.containers().collect(),
        }
    }

    /// A pod spec field, unless absent or null.
    fn get(&self, path: &str) -> Option<&'a Node> {
        set(self.spec.node.at(path))
    }

    fn path(&self, rel: &str) -> String {
        format!("{}.{rel}", self.spec.path)
    }

    fn locate(&self, rel: &str) -> Pos {
        self.spec.node.locate(rel)
    }

    fn windows(&self) -> bool {
        self.get("os.name").and_then(Node::scalar_text) == Some("windows")
    }

    /// `hostUsers: false`: the pod runs in its own user namespace.
    fn user_namespace(&self) -> bool {
        self.get("hostUsers").and_then(Node::as_bool) == Some(false)
    }

    fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
        self.spec
            .metadata
            .and_then(|m| set(m.get("annotations")))
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k.name.as_str(), v))
    }

    fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.annotations().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn annotation_pos(&self, key: &str) -> (Pos, String) {
        let path = if self.spec.path == "spec" {
            format!("metadata.annotations.{key}")
        } else {
            format!(
                "{}.metadata.annotations.{key}",
                self.spec.path.trim_end_matches(".spec")
            )
        };
        let pos = self
            .spec
            .metadata
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get_entry(key))
            .map_or_else(
                || self.spec.metadata.map_or(self.spec.node.pos, |m| m.pos),
                |(k, _)| k.pos,
            );
        (pos, path)
    }
}

fn set(n: Option<&Node>) -> Option<&Node> {
    n.filter(|n| !n.is_null())
}

fn cfield<'a>(c: &Container<'a>, path: &str) -> Option<&'a Node> {
    set(c.node.at(path))
}

fn ctrue(c: &Container<'_>, path: &str) -> bool {
    cfield(c, path).and_then(Node::as_bool) == Some(true)
}

fn text(n: Option<&Node>) -> &str {
    n.and_then(Node::scalar_text).unwrap_or("")
}

/// Where a container field is (or its nearest existing parent), with its full path.
fn cloc(c: &Container<'_>, rel: &str) -> (Pos, String) {
    (c.node.locate(rel), format!("{}.{rel}", c.path()))
}

fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let inner: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", inner.join("\", \""))
}

fn plural(singular: &'static str, plural: &'static str, n: usize) -> &'static str {
    if n == 1 { singular } else { plural }
}

/// Go's `%q` for the strings that appear in messages.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `containers "a", "b"`.
fn containers_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        plural("container", "containers", names.len()),
        join_quote(names)
    )
}

/// Tracks the first offending location of a control.
#[derive(Default)]
struct First(Option<(Pos, String)>);

impl First {
    fn note(&mut self, loc: impl FnOnce() -> (Pos, String)) {
        if self.0.is_none() {
            self.0 = Some(loc());
        }
    }

    fn violation(
        self,
        control: &'static str,
        reason: impl Into<String>,
        detail: impl Into<String>,
    ) -> Violation {
        let (pos, path) = self.0.unwrap_or_default();
        Violation {
            control,
            reason: reason.into(),
            detail: detail.into(),
            pos,
            path,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Baseline controls.

fn host_namespaces(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let mut found = Vec::new();
    let mut first = First::default();
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if p.get(key).and_then(Node::as_bool) == Some(true) {
            found.push(format!("{key}=true"));
            first.note(|| (p.locate(key), p.path(key)));
        }
    }
    (!found.is_empty()).then(|| first.violation("hostNamespaces", "host namespaces", found.join(", ")))
}

fn privileged(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut first = First::default();
    for c in &p.containers {
        if ctrue(c, "securityContext.privileged") {
            bad.push(c.name);
            first.note(|| cloc(c, "securityContext.privileged"));
        }
    }
    (!bad.is_empty()).then(|| {
        first.violation(
            "privileged",
            "privileged",
            format!(
                "{} must not set securityContext.privileged=true",
                containers_phrase(&bad)
            ),
        )
    })
}

const CAPABILITIES_BASELINE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The items of a container's `securityContext.capabilities.<list>` with their nodes.
fn cap_list<'a>(c: &Container<'a>, list: &str) -> Vec<(&'a str, &'a Node)> {
    cfield(c, &format!("securityContext.capabilities.{list}"))
        .map(Node::items)
        .unwrap_or_default()
        .map(|n| (text(Some(n)), n))
        .collect()
}

fn capabilities_baseline(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut caps = BTreeSet::new();
    let mut first = First::default();
    for c in &p.containers {
        let mut valid = true;
        for (cap, node) in cap_list(c, "add") {
            if !CAPABILITIES_BASELINE.contains(&cap) {
                valid = false;
                caps.insert(cap);
                first.note(|| (node.pos, format!("{}.securityContext.capabilities.add", c.path())));
            }
        }
        if !valid {
            bad.push(c.name);
        }
    }
    (!bad.is_empty()).then(|| {
        let caps: Vec<&str> = caps.into_iter().collect();
        first.violation(
            "capabilities_baseline",
            "non-default capabilities",
            format!(
                "{} must not include {} in securityContext.capabilities.add",
                containers_phrase(&bad),
                join_quote(&caps)
            ),
        )
    })
}

fn host_path_volumes(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut first = First::default();
    for (i, vol) in p.get("volumes").map(Node::items).unwrap_or_default().enumerate() {
        if let Some(hp) = set(vol.get("hostPath")) {
            bad.push(text(vol.get("name")));
            first.note(|| (hp.pos, p.path(&format!("volumes[{i}].hostPath"))));
        }
    }
    (!bad.is_empty()).then(|| {
        first.violation(
            "hostPathVolumes",
            "hostPath volumes",
            format!("{} {}", plural("volume", "volumes", bad.len()), join_quote(&bad)),
        )
    })
}

fn host_ports(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut ports = BTreeSet::new();
    let mut first = First::default();
    for c in &p.containers {
        let mut valid = true;
        for (i, port) in cfield(c, "ports")
            .map(Node::items)
            .unwrap_or_default()
            .enumerate()
        {
            if let Some(hp) = set(port.get("hostPort")).and_then(Node::as_i64)
                && hp != 0
            {
                valid = false;
                ports.insert(hp.to_string());
                first.note(|| cloc(c, &format!("ports[{i}].hostPort")));
            }
        }
        if !valid {
            bad.push(c.name);
        }
    }
    (!bad.is_empty()).then(|| {
        let ports: Vec<String> = ports.into_iter().collect();
        first.violation(
            "hostPorts",
            "hostPort",
            format!(
                "{} {} {} {}",
                containers_phrase(&bad),
                plural("uses", "use", bad.len()),
                plural("hostPort", "hostPorts", ports.len()),
                ports.join(", ")
            ),
        )
    })
}

fn app_armor_profile(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let allowed_type = |n: &Node| matches!(text(n.get("type")), "RuntimeDefault" | "Localhost");
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    let mut first = First::default();
    if let Some(profile) = p.get("securityContext.appArmorProfile")
        && !allowed_type(profile)
    {
        setters.push("pod".to_string());
        values.insert(text(profile.get("type")).to_string());
        first.note(|| {
            (
                p.locate("securityContext.appArmorProfile.type"),
                p.path("securityContext.appArmorProfile.type"),
            )
        });
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(profile) = cfield(c, "securityContext.appArmorProfile")
            && !allowed_type(profile)
        {
            bad.push(c.name);
            values.insert(text(profile.get("type")).to_string());
            first.note(|| cloc(c, "securityContext.appArmorProfile.type"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    let prefix = "container.apparmor.security.beta.kubernetes.io/";
    let mut annotations = Vec::new();
    for (k, v) in p.annotations() {
        let v = text(Some(v));
        let ok = v.is_empty() || v == "runtime/default" || v.starts_with("localhost/");
        if k.starts_with(prefix) && !ok {
            annotations.push((format!("{k}={}", go_quote(v)), k));
        }
    }
    let mut list: Vec<String> = values.into_iter().collect();
    if !annotations.is_empty() {
        annotations.sort();
        first.note(|| p.annotation_pos(annotations[0].1));
        setters.push(plural("annotation", "annotations", annotations.len()).to_string());
        list.extend(annotations.into_iter().map(|(a, _)| a));
    }
    (!setters.is_empty()).then(|| {
        first.violation(
            "appArmorProfile",
            plural(
                "forbidden AppArmor profile",
                "forbidden AppArmor profiles",
                list.len(),
            ),
            format!(
                "{} must not set AppArmor profile type to {}",
                setters.join(" and "),
                join_quote(&list)
            ),
        )
    })
}

fn selinux_options(p: &Pod<'_>, v: u32) -> Option<Violation> {
    let allowed: &[&str] = if v >= 31 {
        &[
            "",
            "container_t",
            "container_init_t",
            "container_kvm_t",
            "container_engine_t",
        ]
    } else {
        &["", "container_t", "container_init_t", "container_kvm_t"]
    };
    let mut types = BTreeSet::new();
    let (mut user, mut role) = (false, false);
    let mut check = |opts: &Node| {
        let mut valid = true;
        let ty = text(opts.get("type"));
        if !allowed.contains(&ty) {
            valid = false;
            types.insert(ty.to_string());
        }
        if !text(opts.get("user")).is_empty() {
            valid = false;
            user = true;
        }
        if !text(opts.get("role")).is_empty() {
            valid = false;
            role = true;
        }
        valid
    };
    let mut setters = Vec::new();
    let mut first = First::default();
    if let Some(opts) = p.get("securityContext.seLinuxOptions")
        && !check(opts)
    {
        setters.push("pod".to_string());
        first.note(|| (opts.pos, p.path("securityContext.seLinuxOptions")));
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(opts) = cfield(c, "securityContext.seLinuxOptions")
            && !check(opts)
        {
            bad.push(c.name);
            first.note(|| cloc(c, "securityContext.seLinuxOptions"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    (!setters.is_empty()).then(|| {
        let mut data = Vec::new();
        if !types.is_empty() {
            let t: Vec<String> = types.into_iter().collect();
            data.push(format!("{} {}", plural("type", "types", t.len()), join_quote(&t)));
        }
        if user {
            data.push("user may not be set".to_string());
        }
        if role {
            data.push("role may not be set".to_string());
        }
        first.violation(
            "seLinuxOptions",
            "seLinuxOptions",
            format!(
                "{} set forbidden securityContext.seLinuxOptions: {}",
                setters.join(" and "),
                data.join("; ")
            ),
        )
    })
}

fn proc_mount_any(p: &Pod<'_>, control: &'static str) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut types = BTreeSet::new();
    let mut first = First::default();
    for c in &p.containers {
        if let Some(pm) = cfield(c, "securityContext.procMount") {
            let t = text(Some(pm));
            if t != "Default" {
                bad.push(c.name);
                types.insert(t);
                first.note(|| cloc(c, "securityContext.procMount"));
            }
        }
    }
    (!bad.is_empty()).then(|| {
        let types: Vec<&str> = types.into_iter().collect();
        first.violation(
            control,
            "procMount",
            format!(
                "{} must not set securityContext.procMount to {}",
                containers_phrase(&bad),
                join_quote(&types)
            ),
        )
    })
}

fn proc_mount_baseline(p: &Pod<'_>, v: u32) -> Option<Violation> {
    if v >= 35 && p.user_namespace() {
        return None;
    }
    proc_mount_any(p, "procMount")
}

fn proc_mount_restricted(p: &Pod<'_>, _: u32) -> Option<Violation> {
    proc_mount_any(p, "procMount_restricted")
}

fn valid_seccomp_type(n: &Node) -> bool {
    matches!(text(n.get("type")), "RuntimeDefault" | "Localhost")
}

fn seccomp_baseline(p: &Pod<'_>, v: u32) -> Option<Violation> {
    if v < 19 {
        return seccomp_annotations(p);
    }
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    let mut first = First::default();
    if let Some(sp) = p.get("securityContext.seccompProfile")
        && !valid_seccomp_type(sp)
    {
        setters.push("pod".to_string());
        values.insert(text(sp.get("type")));
        first.note(|| {
            (
                p.locate("securityContext.seccompProfile.type"),
                p.path("securityContext.seccompProfile.type"),
            )
        });
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(sp) = cfield(c, "securityContext.seccompProfile")
            && !valid_seccomp_type(sp)
        {
            bad.push(c.name);
            values.insert(text(sp.get("type")));
            first.note(|| cloc(c, "securityContext.seccompProfile.type"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    (!setters.is_empty()).then(|| {
        let values: Vec<&str> = values.into_iter().collect();
        first.violation(
            "seccompProfile_baseline",
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&values)
            ),
        )
    })
}

/// Policy versions before v1.19 judge the alpha seccomp annotations.
fn seccomp_annotations(p: &Pod<'_>) -> Option<Violation> {
    let valid = |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut forbidden = BTreeSet::new();
    let mut first = First::default();
    let pod_key = "seccomp.security.alpha.kubernetes.io/pod";
    if let Some(val) = p.annotation(pod_key) {
        let val = text(Some(val));
        if !valid(val) {
            forbidden.insert(format!("{pod_key}={}", go_quote(val)));
            first.note(|| p.annotation_pos(pod_key));
        }
    }
    for c in &p.containers {
        let key = format!("container.seccomp.security.alpha.kubernetes.io/{}", c.name);
        if let Some(val) = p.annotation(&key) {
            let val = text(Some(val));
            if !valid(val) {
                forbidden.insert(format!("{key}={}", go_quote(val)));
                first.note(|| p.annotation_pos(&key));
            }
        }
    }
    (!forbidden.is_empty()).then(|| {
        let list: Vec<String> = forbidden.into_iter().collect();
        first.violation(
            "seccompProfile_baseline",
            "seccompProfile",
            format!(
                "forbidden {} {}",
                plural("annotation", "annotations", list.len()),
                list.join(", ")
            ),
        )
    })
}

/// The sysctls allowed at a policy version.
pub fn safe_sysctls(v: u32) -> Vec<&'static str> {
    let mut allowed = vec![
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ];
    if v >= 27 {
        allowed.push("net.ipv4.ip_local_reserved_ports");
    }
    if v >= 29 {
        allowed.extend([
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ]);
    }
    if v >= 32 {
        allowed.extend(["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]);
    }
    if v >= 37 {
        allowed.extend(["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"]);
    }
    allowed
}

fn sysctls(p: &Pod<'_>, v: u32) -> Option<Violation> {
    let allowed = safe_sysctls(v);
    let mut bad = Vec::new();
    let mut first = First::default();
    for (i, s) in p
        .get("securityContext.sysctls")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
    {
        let name = text(s.get("name"));
        if !allowed.contains(&name) {
            bad.push(name);
            first.note(|| {
                (
                    s.get("name").map_or(s.pos, |n| n.pos),
                    p.path(&format!("securityContext.sysctls[{i}].name")),
                )
            });
        }
    }
    (!bad.is_empty()).then(|| first.violation("sysctls", "forbidden sysctls", bad.join(", ")))
}

fn windows_host_process(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let field = "securityContext.windowsOptions.hostProcess";
    let mut bad = Vec::new();
    let mut first = First::default();
    let pod_bad = p.get(field).and_then(Node::as_bool) == Some(true);
    if pod_bad {
        first.note(|| (p.locate(field), p.path(field)));
    }
    for c in &p.containers {
        if ctrue(c, field) {
            bad.push(c.name);
            first.note(|| cloc(c, field));
        }
    }
    let mut setters = Vec::new();
    if pod_bad {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    (!setters.is_empty()).then(|| {
        first.violation(
            "windowsHostProcess",
            "hostProcess",
            format!(
                "{} must not set securityContext.windowsOptions.hostProcess=true",
                setters.join(" and ")
            ),
        )
    })
}

fn host_probes_and_lifecycle(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let mut bad = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let mut first = First::default();
    let handlers = [
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "lifecycle.postStart",
        "lifecycle.preStop",
    ];
    for c in &p.containers {
        for h in handlers {
            let Some(handler) = cfield(c, h) else { continue };
            for kind in ["httpGet", "tcpSocket"] {
                let host = text(set(handler.get(kind)).and_then(|k| k.get("host")));
                if !host.is_empty() {
                    bad.insert(c.name);
                    hosts.insert(host);
                    first.note(|| cloc(c, &format!("{h}.{kind}.host")));
                }
            }
        }
    }
    (!bad.is_empty()).then(|| {
        let bad: Vec<&str> = bad.into_iter().collect();
        let hosts: Vec<&str> = hosts.into_iter().collect();
        first.violation(
            "hostProbesAndHostLifecycle",
            "probe or lifecycle host",
            format!(
                "{} {} {} {}",
                containers_phrase(&bad),
                plural("uses", "use", bad.len()),
                plural("probe or lifecycle host", "probe or lifecycle hosts", hosts.len()),
                join_quote(&hosts)
            ),
        )
    })
}

// ---------------------------------------------------------------------------------------
// Restricted controls.

fn allow_privilege_escalation(p: &Pod<'_>, v: u32) -> Option<Violation> {
    if v >= 25 && p.windows() {
        return None;
    }
    let field = "securityContext.allowPrivilegeEscalation";
    let mut bad = Vec::new();
    let mut first = First::default();
    for c in &p.containers {
        if cfield(c, field).and_then(Node::as_bool) != Some(false) {
            bad.push(c.name);
            first.note(|| cloc(c, field));
        }
    }
    (!bad.is_empty()).then(|| {
        first.violation(
            "allowPrivilegeEscalation",
            "allowPrivilegeEscalation != false",
            format!(
                "{} must set securityContext.allowPrivilegeEscalation=false",
                containers_phrase(&bad)
            ),
        )
    })
}

fn capabilities_restricted(p: &Pod<'_>, v: u32) -> Option<Violation> {
    if v >= 25 && p.windows() {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = BTreeSet::new();
    let mut first = First::default();
    for c in &p.containers {
        if cfield(c, "securityContext.capabilities").is_none() {
            missing_drop.push(c.name);
            first.note(|| cloc(c, "securityContext.capabilities.drop"));
            continue;
        }
        if !cap_list(c, "drop").iter().any(|(cap, _)| *cap == "ALL") {
            missing_drop.push(c.name);
            first.note(|| cloc(c, "securityContext.capabilities.drop"));
        }
        let mut forbidden = false;
        for (cap, node) in cap_list(c, "add") {
            if cap != "NET_BIND_SERVICE" {
                forbidden = true;
                caps.insert(cap);
                first.note(|| (node.pos, format!("{}.securityContext.capabilities.add", c.path())));
            }
        }
        if forbidden {
            adding.push(c.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        let caps: Vec<&str> = caps.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&caps)
        ));
    }
    (!details.is_empty()).then(|| {
        first.violation(
            "capabilities_restricted",
            "unrestricted capabilities",
            details.join("; "),
        )
    })
}

/// Inline volume sources the restricted level allows.
const ALLOWED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Restricted volume sources, in the order the API server names them.
const RESTRICTED_VOLUMES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn restricted_volumes(p: &Pod<'_>, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut types = BTreeSet::new();
    let mut first = First::default();
    for (i, vol) in p.get("volumes").map(Node::items).unwrap_or_default().enumerate() {
        let has = |k: &str| set(vol.get(k)).is_some();
        if ALLOWED_VOLUMES.iter().any(|k| has(k)) {
            continue;
        }
        let restricted = RESTRICTED_VOLUMES.iter().find(|k| has(k));
        // No source the API knows (unknown keys are dropped when the API server decodes
        // the pod): the volume is defaulted to emptyDir before admission.
        let Some(ty) = restricted else { continue };
        bad.push(text(vol.get("name")));
        types.insert(*ty);
        first.note(|| {
            (
                vol.get(ty).map_or(vol.pos, |n| n.pos),
                p.path(&format!("volumes[{i}].{ty}")),
            )
        });
    }
    (!bad.is_empty()).then(|| {
        let types: Vec<&str> = types.into_iter().collect();
        first.violation(
            "restrictedVolumes",
            "restricted volume types",
            format!(
                "{} {} {} {} {}",
                plural("volume", "volumes", bad.len()),
                join_quote(&bad),
                plural("uses", "use", bad.len()),
                plural("restricted volume type", "restricted volume types", types.len()),
                join_quote(&types)
            ),
        )
    })
}

fn run_as_non_root(p: &Pod<'_>, v: u32) -> Option<Violation> {
    if v >= 35 && p.user_namespace() {
        return None;
    }
    let field = "securityContext.runAsNonRoot";
    let mut setters = Vec::new();
    let mut first = First::default();
    let mut pod_true = false;
    if let Some(n) = p.get(field) {
        if n.as_bool() == Some(false) {
            setters.push("pod".to_string());
            first.note(|| (n.pos, p.path(field)));
        } else {
            pod_true = n.as_bool() == Some(true);
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_first = First::default();
    for c in &p.containers {
        if let Some(n) = cfield(c, field) {
            if n.as_bool() == Some(false) {
                explicit.push(c.name);
                first.note(|| cloc(c, field));
            }
        } else if !pod_true {
            implicit.push(c.name);
            implicit_first.note(|| cloc(c, field));
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return Some(first.violation(
            "runAsNonRoot",
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
        ));
    }
    (!implicit.is_empty()).then(|| {
        implicit_first.violation(
            "runAsNonRoot",
            "runAsNonRoot != true",
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicit)
            ),
        )
    })
}

fn run_as_user(p: &Pod<'_>, v: u32) -> Option<Violation> {
    if v >= 35 && p.user_namespace() {
        return None;
    }
    let field = "securityContext.runAsUser";
    let mut setters = Vec::new();
    let mut first = First::default();
    if let Some(n) = p.get(field)
        && n.as_i64() == Some(0)
    {
        setters.push("pod".to_string());
        first.note(|| (n.pos, p.path(field)));
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if cfield(c, field).and_then(Node::as_i64) == Some(0) {
            bad.push(c.name);
            first.note(|| cloc(c, field));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    (!setters.is_empty()).then(|| {
        first.violation(
            "runAsUser",
            "runAsUser=0",
            format!("{} must not set runAsUser=0", setters.join(" and ")),
        )
    })
}

fn seccomp_restricted(p: &Pod<'_>, v: u32) -> Option<Violation> {
    if v >= 25 && p.windows() {
        return None;
    }
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    let mut first = First::default();
    let mut pod_set = false;
    if let Some(sp) = p.get("securityContext.seccompProfile") {
        if valid_seccomp_type(sp) {
            pod_set = true;
        } else {
            setters.push("pod".to_string());
            values.insert(text(sp.get("type")));
            first.note(|| {
                (
                    p.locate("securityContext.seccompProfile.type"),
                    p.path("securityContext.seccompProfile.type"),
                )
            });
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_first = First::default();
    for c in &p.containers {
        if let Some(sp) = cfield(c, "securityContext.seccompProfile") {
            if !valid_seccomp_type(sp) {
                explicit.push(c.name);
                values.insert(text(sp.get("type")));
                first.note(|| cloc(c, "securityContext.seccompProfile.type"));
            }
        } else if !pod_set {
            implicit.push(c.name);
            implicit_first.note(|| cloc(c, "securityContext.seccompProfile"));
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        let values: Vec<&str> = values.into_iter().collect();
        return Some(first.violation(
            "seccompProfile_restricted",
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&values)
            ),
        ));
    }
    (!implicit.is_empty()).then(|| {
        implicit_first.violation(
            "seccompProfile_restricted",
            "seccompProfile",
            format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_phrase(&implicit)
            ),
        )
    })
}

/// Runs one control at the newest version on an object's pod spec and reports a violation
/// as a finding at the offending field. Used by the `pss-*` checks.
pub fn emit_control(obj: &rampart_model::Object, name: &str, out: &mut crate::Emitter<'_>) {
    let (Some(pod), Some(c)) = (PodSpec::of(obj), control(name)) else {
        return;
    };
    if let Some(v) = evaluate_control(&pod, c, Version::Latest) {
        out.object_at(
            v.pos,
            &v.path,
            format!(
                "Pod Security Standards {} control {}: {}",
                c.level,
                c.name,
                v.message()
            ),
        );
    }
}
