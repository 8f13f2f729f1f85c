//! What a check sees (its parameters, the inventory) and how it reports findings; and the
//! runner that applies the enabled checks to every object, in parallel.

use rampart_model::{Container, Object, Pos};
use rayon::prelude::*;

use crate::finding::{Finding, fingerprint};
use crate::inventory::Inventory;
use crate::meta::{CheckMeta, ParamDefault, Severity, Target};

/// A built-in check: its metadata and a pure function from one object to findings.
pub struct Check {
    pub meta: CheckMeta,
    pub run: fn(&Ctx<'_>, &Object, &mut Emitter<'_>),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.meta.id)
            .finish_non_exhaustive()
    }
}

/// The value of a check parameter after configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Strings(Vec<String>),
    /// A Kubernetes 1.x version, as its minor number.
    Version(u32),
}

impl From<ParamDefault> for ParamValue {
    fn from(d: ParamDefault) -> Self {
        match d {
            ParamDefault::Bool(b) => ParamValue::Bool(b),
            ParamDefault::Int(i) => ParamValue::Int(i),
            ParamDefault::Strings(s) => ParamValue::Strings(s.iter().map(|s| (*s).to_string()).collect()),
            ParamDefault::Version(v) => {
                ParamValue::Version(parse_kubernetes_version(v).expect("built-in default versions are valid"))
            }
        }
    }
}

/// A check's parameters: the defaults from its metadata with the configured values on top.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Vec<(&'static str, ParamValue)>,
}

impl Params {
    pub fn defaults(meta: &CheckMeta) -> Params {
        Params {
            values: meta.params.iter().map(|p| (p.name, p.default.into())).collect(),
        }
    }

    /// Replaces a parameter's value. Callers validate names and types first.
    pub fn set(&mut self, name: &str, value: ParamValue) {
        if let Some(slot) = self.values.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        }
    }

    fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// A list parameter (empty when unknown: checks declare their parameters).
    pub fn strings(&self, name: &str) -> &[String] {
        match self.get(name) {
            Some(ParamValue::Strings(v)) => v,
            _ => &[],
        }
    }

    pub fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), Some(ParamValue::Bool(true)))
    }

    /// Sets every parameter of type Kubernetes version (`kubernetes-version`) to `minor`.
    pub fn set_kubernetes_version(&mut self, meta: &CheckMeta, minor: u32) {
        for p in meta.params {
            if matches!(p.default, ParamDefault::Version(_)) {
                self.set(p.name, ParamValue::Version(minor));
            }
        }
    }

    /// A Kubernetes version parameter, as its minor number.
    pub fn version(&self, name: &str) -> Option<u32> {
        match self.get(name) {
            Some(ParamValue::Version(v)) => Some(*v),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(ParamValue::Int(i)) => Some(*i),
            _ => None,
        }
    }
}

/// Reads a Kubernetes version: `1.29`, `v1.29`, `1.29.3` and `v1.29.3` all give the minor
/// version 29. Only 1.x versions exist.
pub fn parse_kubernetes_version(text: &str) -> Option<u32> {
    let v = text.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let mut parts = v.split('.');
    if parts.next()? != "1" {
        return None;
    }
    let minor = parts.next()?;
    let patch_ok = match parts.next() {
        None => true,
        Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()),
    };
    if !patch_ok || parts.next().is_some() || minor.is_empty() || minor.len() > 3 {
        return None;
    }
    if !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    minor.parse().ok()
}

/// Read-only context for a check run.
pub struct Ctx<'a> {
    pub params: &'a Params,
    /// Every object of the scan, for checks that look across objects.
    pub objects: &'a [Object],
    /// An index of `objects` by kind and identity.
    pub inventory: &'a Inventory<'a>,
}

/// Collects the findings of one check on one object.
pub struct Emitter<'a> {
    meta: &'a CheckMeta,
    severity: Severity,
    obj: &'a Object,
    obj_index: usize,
    out: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    pub fn new(meta: &'a CheckMeta, severity: Severity, obj: &'a Object, obj_index: usize) -> Self {
        Emitter {
            meta,
            severity,
            obj,
            obj_index,
            out: Vec::new(),
        }
    }

    /// A finding about the object's field `path` (dotted, relative to the object root).
    /// Points at the field, or at its nearest existing parent when it is missing.
    pub fn object(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.obj.root.locate(path);
        self.push(pos, path.to_string(), None, path, message.into());
    }

    /// A finding about a field of the object found at a known position.
    pub fn object_at(&mut self, pos: Pos, path: &str, message: impl Into<String>) {
        self.push(pos, path.to_string(), None, path, message.into());
    }

    /// A finding about a container's field `rel` (dotted, relative to the container).
    pub fn container(&mut self, c: &Container<'_>, rel: &str, message: impl Into<String>) {
        let pos = c.node.locate(rel);
        self.container_at(c, pos, rel, message);
    }

    /// A finding about a container's field whose position the check found itself
    /// (an item in a list, for example).
    pub fn container_at(&mut self, c: &Container<'_>, pos: Pos, rel: &str, message: impl Into<String>) {
        let base = c.path();
        let path = if rel.is_empty() {
            base
        } else {
            format!("{base}.{rel}")
        };
        let fp_rel = format!("{}:{}", c.kind.field(), rel);
        self.push(pos, path, Some(c.name), &fp_rel, message.into());
    }

    fn push(&mut self, pos: Pos, path: String, container: Option<&str>, fp_rel: &str, message: String) {
        let fingerprint = fingerprint(self.meta.id, self.obj, container, fp_rel);
        self.out.push(Finding {
            check: self.meta.id,
            severity: self.severity,
            message,
            object: self.obj_index,
            container: container.map(str::to_string),
            path,
            pos,
            fingerprint,
            suppressed: None,
            in_baseline: false,
        });
    }

    /// An emitter that appends to `out` (the findings of earlier checks on the same
    /// object), so a scan does not allocate a list per check and object.
    pub fn with_buffer(
        meta: &'a CheckMeta,
        severity: Severity,
        obj: &'a Object,
        obj_index: usize,
        out: Vec<Finding>,
    ) -> Self {
        Emitter {
            meta,
            severity,
            obj,
            obj_index,
            out,
        }
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.out
    }
}

/// A check as configured for a run.
#[derive(Debug)]
pub struct Enabled {
    pub check: &'static Check,
    pub severity: Severity,
    pub params: Params,
}

/// Runs the enabled checks on every object (objects in parallel) and returns the findings
/// sorted by object, position and check.
pub fn run(checks: &[Enabled], objects: &[Object]) -> Vec<Finding> {
    run_on(checks, objects, true)
}

/// [`run`] on the calling thread only: for a handful of objects (an admission request),
/// handing the work to the thread pool costs more than it saves, and many callers at once
/// would queue on the pool.
pub fn run_serial(checks: &[Enabled], objects: &[Object]) -> Vec<Finding> {
    run_on(checks, objects, false)
}

fn run_on(checks: &[Enabled], objects: &[Object], parallel: bool) -> Vec<Finding> {
    let inventory = Inventory::build(objects);
    let inventory = &inventory;
    // The findings of one object, sorted by position, check, path and message, without
    // duplicates. Objects come in order, so the whole list needs no sort of its own.
    let one = |(i, obj): (usize, &Object)| {
        let mut out = Vec::new();
        // Whether the object has a pod spec, decided once rather than once per check.
        let has_pod = rampart_model::PodSpec::of(obj).is_some();
        for e in checks {
            let applies = match e.check.meta.target {
                Target::Workloads => has_pod,
                t => t.applies(obj),
            };
            if !applies {
                continue;
            }
            let ctx = Ctx {
                params: &e.params,
                objects,
                inventory,
            };
            let mut em = Emitter::with_buffer(&e.check.meta, e.severity, obj, i, out);
            (e.check.run)(&ctx, obj, &mut em);
            out = em.into_findings();
        }
        out.sort_by(|a: &Finding, b: &Finding| {
            (a.pos, a.check, &a.path, &a.message).cmp(&(b.pos, b.check, &b.path, &b.message))
        });
        out.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.message == b.message);
        out
    };
    let per_object: Vec<Vec<Finding>> = if parallel {
        objects.par_iter().enumerate().map(one).collect()
    } else {
        objects.iter().enumerate().map(one).collect()
    };
    let mut findings = Vec::with_capacity(per_object.iter().map(Vec::len).sum());
    for mut f in per_object {
        findings.append(&mut f);
    }
    findings
}

/// Test support: run one check, with given parameters, on a YAML text.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use super::{Check, Enabled, Params, run};

    /// The messages of the findings `check` reports on `text` (parsed as `t.yaml`).
    pub fn messages(check: &'static Check, params: Params, text: &str) -> Vec<String> {
        let source = Arc::new(Source::new("t.yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let enabled = [Enabled {
            check,
            severity: check.meta.severity,
            params,
        }];
        run(&enabled, &objects).into_iter().map(|f| f.message).collect()
    }
}
