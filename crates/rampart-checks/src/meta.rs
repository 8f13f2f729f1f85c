//! The metadata every check carries. It is the user documentation: `rampart explain`,
//! `rampart checks` and docs/checks.md are all rendered from it.

use std::fmt;

use serde::Serialize;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What area of security a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Privileges a container holds (privileged, capabilities, root).
    Privileges,
    /// Access to the node: host namespaces, host paths, host ports, runtime sockets.
    HostAccess,
    /// Kernel-level hardening: seccomp, AppArmor, read-only root filesystem.
    Hardening,
    /// CPU and memory requests and limits.
    Resources,
    /// Probes and other settings that keep workloads healthy.
    Reliability,
    /// Image references.
    SupplyChain,
    /// Secrets in manifests and service account tokens.
    Secrets,
    /// Roles, bindings and permissions.
    Rbac,
    /// Exposure of workloads on the network.
    Network,
    /// Namespacing and other hygiene.
    Hygiene,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Privileges => "privileges",
            Category::HostAccess => "host-access",
            Category::Hardening => "hardening",
            Category::Resources => "resources",
            Category::Reliability => "reliability",
            Category::SupplyChain => "supply-chain",
            Category::Secrets => "secrets",
            Category::Rbac => "rbac",
            Category::Network => "network",
            Category::Hygiene => "hygiene",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The default value of a check parameter; also fixes the parameter's type.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub enum ParamDefault {
    Bool(bool),
    Int(i64),
    Strings(&'static [&'static str]),
    /// A Kubernetes version (`"1.33"`; `v1.33` and `1.33.2` are read the same). The
    /// top-level `kubernetes-version` setting and `--kubernetes-version` set every check's
    /// parameter of this type.
    Version(&'static str),
}

impl ParamDefault {
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamDefault::Bool(_) => "boolean",
            ParamDefault::Int(_) => "integer",
            ParamDefault::Strings(_) => "list of strings",
            ParamDefault::Version(_) => "Kubernetes version",
        }
    }
}

/// A parameter users can set for a check in the configuration file.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub default: ParamDefault,
}

/// Which objects a check looks at. Used for coverage and for reporting a check as passed
/// on an object (JUnit) only when it actually judged that object.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// Objects that carry a pod spec (Pod, Deployment, CronJob, ...).
    Workloads,
    /// Objects of these kinds.
    Kinds(&'static [&'static str]),
    /// Every object.
    Any,
}

impl Target {
    pub fn applies(&self, obj: &rampart_model::Object) -> bool {
        match self {
            Target::Workloads => rampart_model::PodSpec::of(obj).is_some(),
            Target::Kinds(kinds) => kinds.contains(&obj.kind.as_str()),
            Target::Any => true,
        }
    }
}

/// Everything a check says about itself.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CheckMeta {
    /// Stable kebab-case id naming the bad pattern; never reused.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub enabled_by_default: bool,
    /// Which objects the check looks at.
    pub target: Target,
    /// What the check finds, precisely (which fields, which values).
    pub finds: &'static str,
    /// Why it matters: the attack or failure it enables.
    pub why: &'static str,
    /// How to fix it, in words.
    pub remediation: &'static str,
    /// A YAML fragment showing the fix.
    pub example: &'static str,
    pub references: &'static [&'static str],
    /// Compliance controls this check evidences (`standard:control`).
    pub controls: &'static [&'static str],
    /// Equivalent checks in other tools (`tool:id`), to migrate suppressions.
    pub equivalents: &'static [&'static str],
    /// Former ids of this check.
    pub aliases: &'static [&'static str],
    pub params: &'static [ParamSpec],
}

impl CheckMeta {
    /// An empty template for check files to fill with `..CheckMeta::DEFAULT`.
    pub const DEFAULT: CheckMeta = CheckMeta {
        id: "",
        title: "",
        severity: Severity::Medium,
        category: Category::Hygiene,
        enabled_by_default: true,
        target: Target::Workloads,
        finds: "",
        why: "",
        remediation: "",
        example: "",
        references: &[],
        controls: &[],
        equivalents: &[],
        aliases: &[],
        params: &[],
    };
}
