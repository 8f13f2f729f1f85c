//! The check engine of Rampart: the [`Check`] type, the registry of built-in checks (one
//! file per check under `src/checks/<group>/`, found at build time), the findings they
//! produce, and the runner.
//!
//! Checks are pure functions of one object (plus read-only access to the other objects of
//! the scan and the check's parameters): no I/O, no global state, deterministic output, so
//! results are identical in the CLI, the admission webhook and a server.

mod engine;
mod finding;
mod meta;
pub mod util;

pub use engine::{Check, Ctx, Emitter, Enabled, ParamValue, Params, run};
pub use finding::{Finding, Suppression, SuppressionKind, fingerprint};
pub use meta::{Category, CheckMeta, ParamDefault, ParamSpec, Severity, Target};

#[allow(clippy::pedantic)]
mod registry {
    use crate::engine::Check;
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

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
