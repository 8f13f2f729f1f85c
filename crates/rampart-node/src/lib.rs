//! `rampart node`: audits a Kubernetes node against sections 1 to 4 of the CIS Kubernetes
//! Benchmark v1.12 (control-plane components, etcd, control-plane configuration, worker
//! nodes) from the node's own files: static pod manifests, kubelet configuration and
//! systemd units, the k3s/RKE2 configuration, file modes and owners, and optionally the
//! running processes' command lines. It never runs a program.
//!
//! This crate reads files under the root it is given and nothing else; it does no network
//! or terminal I/O. Rendering lives in [`render`].

pub mod flags;
pub mod fs;
pub mod items;
pub mod node;
pub mod render;
pub mod rule;

use rampart_config::{Date, NodeException};
use serde::Serialize;

pub use fs::NodeFs;
pub use items::{ITEMS, Item, Scope};
pub use node::{Component, Distribution, NodeView, Options, Problem, Role};
pub use rule::{Evidence, Status};

/// Version of the JSON node report; bumped on incompatible changes.
pub const NODE_SCHEMA_VERSION: &str = "1.0";
/// The benchmark this crate implements.
pub const BENCHMARK: &str = "cis-1.12";
/// The compliance catalog the item titles come from.
pub const CATALOG: &str = "cis-kubernetes-1.12";

/// The exception that covers a result.
#[derive(Debug, Clone, Serialize)]
pub struct Excepted {
    pub reason: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// One benchmark item on one node.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemResult {
    pub id: &'static str,
    pub section: String,
    pub title: String,
    /// False for the items a person checks (their status is WARN).
    pub automated: bool,
    pub status: Status,
    pub evidence: Vec<Evidence>,
    pub remediation: &'static str,
    /// How a person checks it (manual items and everything not applicable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// The exception that accepts this failure: it does not count as failing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<Excepted>,
}

impl ItemResult {
    /// A failure no exception covers.
    pub fn failing(&self) -> bool {
        self.status == Status::Fail && self.exception.is_none()
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub not_applicable: usize,
    /// Failures covered by an exception (counted in `fail` too).
    pub excepted: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentOut {
    pub component: Component,
    pub source: String,
}

/// The audit of one node.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeReport {
    pub schema_version: &'static str,
    pub benchmark: &'static str,
    pub node: String,
    pub root: String,
    pub distribution: Distribution,
    pub role: Role,
    pub components: Vec<ComponentOut>,
    pub results: Vec<ItemResult>,
    pub problems: Vec<Problem>,
    /// Exceptions that are past their expiry date: they no longer apply.
    pub expired_exceptions: Vec<String>,
    pub summary: Summary,
}

impl NodeReport {
    /// Failures no exception covers.
    pub fn failing(&self) -> impl Iterator<Item = &ItemResult> {
        self.results.iter().filter(|r| r.failing())
    }
}

/// The node's name: the `--node-name` given, else the node's `/etc/hostname`.
pub fn node_name(fs: &NodeFs) -> String {
    fs.read("/etc/hostname")
        .ok()
        .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Audits the node whose files `view` has read.
pub fn audit(view: &NodeView, node: &str, exceptions: &[NodeException], today: Date) -> NodeReport {
    let catalog = rampart_compliance::find(CATALOG);
    let mut results = Vec::with_capacity(ITEMS.len());
    let mut expired = Vec::new();
    for item in ITEMS {
        let control = catalog.and_then(|c| c.control(item.id));
        let outcome = if item.scope == Scope::Master && view.role == Role::Worker {
            rule::Outcome::na("not a control-plane node")
        } else {
            item.test.evaluate(view)
        };
        let mut exception = None;
        if outcome.status == Status::Fail {
            for e in exceptions.iter().filter(|e| e.covers(item.id, node)) {
                if e.expires.is_some_and(|d| d < today) {
                    expired.push(format!(
                        "{} (item {}, expired {})",
                        e.origin,
                        item.id,
                        e.expires.map(|d| d.to_string()).unwrap_or_default()
                    ));
                    continue;
                }
                exception = Some(Excepted {
                    reason: e.reason.clone(),
                    source: e.origin.clone(),
                    expires: e.expires.map(|d| d.to_string()),
                    ticket: e.ticket.clone(),
                });
                break;
            }
        }
        let manual = matches!(item.test, rule::Test::Manual);
        results.push(ItemResult {
            id: item.id,
            section: control.map(|c| c.section.clone()).unwrap_or_default(),
            title: control.map(|c| c.title.clone()).unwrap_or_default(),
            automated: !manual,
            guidance: (manual || outcome.status == Status::NotApplicable)
                .then(|| control.and_then(|c| c.guidance.clone()))
                .flatten(),
            status: outcome.status,
            evidence: outcome.evidence,
            remediation: item.remediation,
            exception,
        });
    }
    expired.sort();
    expired.dedup();
    let mut summary = Summary::default();
    for r in &results {
        match r.status {
            Status::Pass => summary.pass += 1,
            Status::Fail => summary.fail += 1,
            Status::Warn => summary.warn += 1,
            Status::NotApplicable => summary.not_applicable += 1,
        }
        if r.status == Status::Fail && r.exception.is_some() {
            summary.excepted += 1;
        }
    }
    NodeReport {
        schema_version: NODE_SCHEMA_VERSION,
        benchmark: BENCHMARK,
        node: node.to_string(),
        root: view.fs.root().display().to_string(),
        distribution: view.distribution,
        role: view.role,
        components: view
            .running
            .iter()
            .map(|r| ComponentOut {
                component: r.component,
                source: r.source.clone(),
            })
            .collect(),
        results,
        problems: view.problems.clone(),
        expired_exceptions: expired,
        summary,
    }
}
