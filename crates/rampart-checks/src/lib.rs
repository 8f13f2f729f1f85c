//! The check engine of Rampart: the [`Check`] type, the registry of built-in checks (one
//! file per check under `src/checks/<group>/`, found at build time), the findings they
//! produce, and the runner.
//!
//! Checks are pure functions of one object (plus read-only access to the other objects of
//! the scan and the check's parameters): no I/O, no global state, deterministic output, so
//! results are identical in the CLI, the admission webhook and a server.

mod engine;
mod finding;
pub mod inventory;
mod meta;
pub mod pss;
pub mod rbac;
pub mod schema;
pub mod util;

pub use engine::{
    Check, Ctx, Emitter, Enabled, ParamValue, Params, parse_kubernetes_version, run, run_serial,
};
pub use finding::{Finding, Suppression, SuppressionKind, fingerprint};
pub use inventory::Inventory;
pub use meta::{Category, CheckMeta, ParamDefault, ParamSpec, Severity, Target};

#[allow(clippy::pedantic)]
mod registry {
    use crate::engine::Check;
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

/// The newest Kubernetes minor release Rampart knows (its API schema, lifecycle of API
/// versions and Pod Security Standards), and the default target of version-aware checks.
pub const NEWEST_KUBERNETES_MINOR: u32 = 37;

/// The parameter every version-aware check declares. The top-level `kubernetes-version`
/// setting and `--kubernetes-version` set it for all of them at once.
pub const KUBERNETES_VERSION_PARAM: ParamSpec = ParamSpec {
    name: "kubernetes-version",
    description: "The Kubernetes version the manifests are meant for (`\"1.33\"`; `v1.33` and \
                  `1.33.2` are read the same). Usually set once for all checks with the \
                  top-level `kubernetes-version` setting or `--kubernetes-version`.",
    default: ParamDefault::Version("1.37"),
};

/// Every built-in check, in a stable order.
pub fn all() -> &'static [&'static Check] {
    registry::ALL
}

/// Finds a check by id or by one of its former ids.
pub fn find(id: &str) -> Option<&'static Check> {
    all()
        .iter()
        .copied()
        .find(|c| c.meta.id == id || c.meta.aliases.contains(&id))
}

/// Every check an id names. A check's id or former id names that check; another tool's id
/// (`trivy:KSV017` or just `KSV017`, `checkov:CKV_K8S_16`, `kube-linter:privileged-container`,
/// `polaris:runAsPrivileged`, `pss:privileged`) names every check that lists it among its
/// equivalents, so suppressions written for those tools keep working. Case-insensitive for
/// other tools' ids.
pub fn resolve(id: &str) -> Vec<&'static Check> {
    if let Some(c) = find(id) {
        return vec![c];
    }
    all()
        .iter()
        .copied()
        .filter(|c| c.meta.equivalents.iter().any(|e| equivalent_matches(e, id)))
        .collect()
}

fn equivalent_matches(equivalent: &str, id: &str) -> bool {
    equivalent.eq_ignore_ascii_case(id)
        || equivalent
            .split_once(':')
            .is_some_and(|(_, bare)| bare.eq_ignore_ascii_case(id))
}
