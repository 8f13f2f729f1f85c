//! An index of every object of a scan, built once per run, so that checks looking across
//! objects (a Service and the pods it selects, a workload and the RBAC of its
//! ServiceAccount, a Pod and the labels of its Namespace) do not rescan the whole input
//! for each object.
//!
//! Cross-object checks must remember that the scan may hold only part of a cluster: an
//! object that is not in the inventory may well exist in the cluster. [`Inventory::scanned_namespace`]
//! tells whether the scan holds anything at all from a namespace, [`Inventory::workloads_in`]
//! whether it holds any pod template there, and [`Inventory::has_custom_resources`] whether
//! an operator may create pods or Services there that the scan cannot show.
//!
//! Label selectors ([`LabelSelector`]) follow the API server's semantics exactly, and
//! matching a selector against the workloads of a namespace ([`Inventory::selected`]) goes
//! through an index of pod template labels, so that it costs about the number of
//! candidate workloads, not the size of the scan.

use std::fmt;

use foldhash::{HashMap, HashSet};

use rampart_model::{Node, Object, PodSpec};
use rayon::prelude::*;

use crate::rbac::{AccountSubject, binding_subjects};

/// Indices into the objects of a scan, by kind, by identity, by namespace and by pod
/// labels.
///
/// Keys borrow from the objects, so building the index allocates no strings; the maps use a
/// fast, randomly seeded hash, since every object of a scan is indexed and looked up.
#[derive(Debug, Default)]
pub struct Inventory<'a> {
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_id: HashMap<(&'a str, &'a str, &'a str), usize>,
    namespaces: HashSet<&'a str>,
    /// kind → namespace → indices.
    by_kind_ns: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    /// Workloads (objects with a pod template) by namespace, with a label index.
    pods: HashMap<&'a str, NamespacePods<'a>>,
    /// The pod labels of each object that has a pod template, by object index.
    pod_labels: Vec<Option<PodLabels<'a>>>,
    /// Namespaces holding custom resources that an operator may turn into pods or
    /// Services.
    custom_resources: HashSet<&'a str>,
    /// Workloads selected by a NetworkPolicy of their namespace (besides `netpol_all`).
    netpol_selected: HashSet<usize>,
    /// Namespaces with a NetworkPolicy that selects every pod.
    netpol_all: HashSet<&'a str>,
    /// Workloads selected by a PodDisruptionBudget of their namespace (besides `pdb_all`).
    pdb_selected: HashSet<usize>,
    /// Namespaces with a PodDisruptionBudget that selects every pod.
    pdb_all: HashSet<&'a str>,
    /// `(kind, namespace, name)` of the targets of HorizontalPodAutoscalers.
    autoscaled: HashSet<(&'a str, &'a str, &'a str)>,
    /// RoleBindings and ClusterRoleBindings by the service accounts their subjects
    /// name: `(namespace, name)` of a ServiceAccount subject or of a
    /// `system:serviceaccount:NS:NAME` user.
    bindings_by_account: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Bindings to the group of every service account of a namespace
    /// (`system:serviceaccounts:NS`).
    bindings_by_account_namespace: HashMap<&'a str, Vec<usize>>,
    /// Bindings to groups holding every service account (`system:serviceaccounts`,
    /// `system:authenticated`).
    bindings_to_all_accounts: Vec<usize>,
}

/// The workloads of one namespace and an index of their pod labels.
#[derive(Debug, Default)]
struct NamespacePods<'a> {
    workloads: Vec<usize>,
    /// label key → value → workloads whose pod template sets it.
    by_label: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    /// label key → workloads whose controller gives each pod this label with a value
    /// not known from the manifest.
    by_generated: HashMap<&'a str, Vec<usize>>,
}

/// The namespace an object lives in, with an unset namespace read as `default`.
pub fn namespace_of(obj: &Object) -> &str {
    match obj.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => ns,
        _ => "default",
    }
}

impl<'a> Inventory<'a> {
    pub fn build(objects: &'a [Object]) -> Inventory<'a> {
        let mut inv = Inventory {
            pod_labels: Vec::with_capacity(objects.len()),
            ..Inventory::default()
        };
        // Reading pod labels walks every pod template: done on every core first.
        let mut all_labels: Vec<Option<PodLabels<'a>>> = objects.par_iter().map(PodLabels::of).collect();
        for (i, o) in objects.iter().enumerate() {
            let ns = namespace_of(o);
            inv.by_kind.entry(&o.kind).or_default().push(i);
            inv.by_id.entry((&o.kind, ns, &o.name)).or_insert(i);
            inv.namespaces.insert(ns);
            if o.kind == "Namespace" && o.group().is_empty() {
                inv.namespaces.insert(&o.name);
            }
            inv.by_kind_ns
                .entry(&o.kind)
                .or_default()
                .entry(ns)
                .or_default()
                .push(i);
            let labels = all_labels[i].take();
            if let Some(labels) = &labels {
                inv.pods.entry(ns).or_default().add(i, labels);
            } else if may_create_pods_or_services(o) {
                inv.custom_resources.insert(ns);
            }
            inv.pod_labels.push(labels);
            if o.kind == "HorizontalPodAutoscaler"
                && o.group() == "autoscaling"
                && let Some(target) = o.root.at("spec.scaleTargetRef")
                && let (Some(kind), Some(name)) = (
                    target.get("kind").and_then(Node::scalar_text),
                    target.get("name").and_then(Node::scalar_text),
                )
            {
                inv.autoscaled.insert((kind, ns, name));
            }
        }
        inv.index_policies(objects);
        inv.index_bindings(objects);
        inv
    }

    /// Indexes RoleBindings and ClusterRoleBindings by the service accounts they bind.
    fn index_bindings(&mut self, objects: &'a [Object]) {
        for kind in ["ClusterRoleBinding", "RoleBinding"] {
            for &i in self.by_kind.get(kind).map_or(&[][..], Vec::as_slice) {
                for subject in binding_subjects(&objects[i]).filter_map(|s| s.account()) {
                    let list = match subject {
                        AccountSubject::Account(ns, name) => {
                            self.bindings_by_account.entry((ns, name)).or_default()
                        }
                        AccountSubject::Namespace(ns) => {
                            self.bindings_by_account_namespace.entry(ns).or_default()
                        }
                        AccountSubject::All => &mut self.bindings_to_all_accounts,
                    };
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
    }

    /// The RoleBindings and ClusterRoleBindings with a subject that includes service
    /// account `namespace/name` ([`crate::rbac::Subject::matches_service_account`]), in the
    /// order of the scan. A RoleBinding among them grants only
    /// in its own namespace, which may differ from the account's.
    pub fn bindings_of_service_account(&self, namespace: &str, name: &str) -> Vec<usize> {
        let by_account: &HashMap<(&str, &str), Vec<usize>> = &self.bindings_by_account;
        let mut out: Vec<usize> = by_account
            .get(&(namespace, name))
            .into_iter()
            .chain(self.bindings_by_account_namespace.get(namespace))
            .chain(std::iter::once(&self.bindings_to_all_accounts))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Records which workloads the NetworkPolicies and PodDisruptionBudgets of their
    /// namespace select. Runs after every workload is indexed.
    fn index_policies(&mut self, objects: &'a [Object]) {
        let mut netpol_selected = HashSet::default();
        let mut pdb_selected = HashSet::default();
        for i in self.of_kind("NetworkPolicy").to_vec() {
            let o = &objects[i];
            if !matches!(o.group(), "networking.k8s.io" | "extensions") {
                continue;
            }
            let ns = namespace_of(o);
            // A missing podSelector is the empty selector: every pod of the namespace.
            let selector = match o.root.at("spec.podSelector") {
                None => Ok(LabelSelector::default()),
                Some(n) if n.is_null() => Ok(LabelSelector::default()),
                Some(n) => LabelSelector::parse(n),
            };
            match selector {
                Ok(s) if s.is_empty() => {
                    self.netpol_all.insert(ns);
                }
                Ok(s) => netpol_selected.extend(self.selected(ns, &s)),
                Err(_) => {}
            }
        }
        for i in self.of_kind("PodDisruptionBudget").to_vec() {
            let o = &objects[i];
            if o.group() != "policy" {
                continue;
            }
            let ns = namespace_of(o);
            // A null selector selects no pods; an empty one selects every pod of the
            // namespace in policy/v1 and none in policy/v1beta1.
            let Some(node) = o.root.at("spec.selector").filter(|n| !n.is_null()) else {
                continue;
            };
            match LabelSelector::parse(node) {
                Ok(s) if s.is_empty() => {
                    if o.api_version == "policy/v1" {
                        self.pdb_all.insert(ns);
                    }
                }
                Ok(s) => pdb_selected.extend(self.selected(ns, &s)),
                Err(_) => {}
            }
        }
        self.netpol_selected = netpol_selected;
        self.pdb_selected = pdb_selected;
    }

    /// Indices of the objects of a kind (any API group: callers check the group).
    pub fn of_kind(&self, kind: &str) -> &[usize] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    /// Indices of the objects of a kind in a namespace (any API group: callers check the
    /// group). Objects without a namespace count as `default`.
    pub fn in_namespace(&self, kind: &str, namespace: &str) -> &[usize] {
        self.by_kind_ns
            .get(kind)
            .and_then(|m| m.get(namespace))
            .map_or(&[], Vec::as_slice)
    }

    /// The first object of a kind with this namespace and name. Cluster-scoped objects
    /// (Namespace, ClusterRole, ...) are found with namespace `default` unless they set one.
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> Option<usize> {
        let by_id: &HashMap<(&str, &str, &str), usize> = &self.by_id;
        by_id.get(&(kind, namespace, name)).copied()
    }

    /// Whether the scan holds any object in this namespace, or the Namespace itself.
    pub fn scanned_namespace(&self, namespace: &str) -> bool {
        self.namespaces.contains(namespace)
    }

    /// The objects with a pod template (Pods, Deployments, CronJobs, ...) in a namespace.
    pub fn workloads_in(&self, namespace: &str) -> &[usize] {
        self.pods.get(namespace).map_or(&[], |p| p.workloads.as_slice())
    }

    /// The labels the pods of a workload carry, by object index (None when the object
    /// has no pod template).
    pub fn pod_labels(&self, index: usize) -> Option<&PodLabels<'a>> {
        self.pod_labels.get(index).and_then(Option::as_ref)
    }

    /// The workloads of a namespace whose pods the selector may select, in scan order.
    /// A label the controller sets with a value unknown before run time
    /// (`pod-template-hash`, ...) counts as matching whatever the selector asks of it.
    pub fn selected(&self, namespace: &str, selector: &LabelSelector) -> Vec<usize> {
        let Some(pods) = self.pods.get(namespace) else {
            return Vec::new();
        };
        let matches = |i: &usize| self.pod_labels(*i).is_some_and(|labels| selector.matches(labels));
        // Start from the smallest candidate set among the `In` requirements.
        let candidates = selector
            .requirements
            .iter()
            .filter(|r| r.op == Operator::In)
            .map(|r| pods.candidates(r))
            .min_by_key(Vec::len);
        let mut out: Vec<usize> = match candidates {
            Some(c) => c.into_iter().filter(|i| matches(i)).collect(),
            None => pods.workloads.iter().copied().filter(|i| matches(i)).collect(),
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether a NetworkPolicy of the scan, in the workload's namespace, selects its pods.
    pub fn selected_by_network_policy(&self, index: usize, namespace: &str) -> bool {
        self.netpol_all.contains(namespace) || self.netpol_selected.contains(&index)
    }

    /// Whether a PodDisruptionBudget of the scan, in the workload's namespace, selects
    /// its pods.
    pub fn selected_by_disruption_budget(&self, index: usize, namespace: &str) -> bool {
        self.pdb_all.contains(namespace) || self.pdb_selected.contains(&index)
    }

    /// Whether a HorizontalPodAutoscaler of the scan targets this object.
    pub fn autoscaled(&self, kind: &str, namespace: &str, name: &str) -> bool {
        let autoscaled: &HashSet<(&str, &str, &str)> = &self.autoscaled;
        autoscaled.contains(&(kind, namespace, name))
    }

    /// Whether the namespace holds custom resources (other than a few kinds known never
    /// to create pods or Services) that an operator may turn into pods and Services the
    /// scan cannot show. Checks that conclude "nothing here matches" stay silent then.
    pub fn has_custom_resources(&self, namespace: &str) -> bool {
        self.custom_resources.contains(namespace)
    }

    /// The index of `obj` in `objects`, when it is an element of that slice (as the
    /// object a check runs on always is).
    pub fn index_of(objects: &[Object], obj: &Object) -> Option<usize> {
        let size = std::mem::size_of::<Object>();
        let offset = (std::ptr::from_ref(obj) as usize).checked_sub(objects.as_ptr() as usize)?;
        let i = offset / size;
        (offset % size == 0 && objects.get(i).is_some_and(|o| std::ptr::eq(o, obj))).then_some(i)
    }
}

impl<'a> NamespacePods<'a> {
    fn add(&mut self, index: usize, labels: &PodLabels<'a>) {
        self.workloads.push(index);
        for &(k, v) in &labels.fixed {
            self.by_label
                .entry(k)
                .or_default()
                .entry(v)
                .or_default()
                .push(index);
        }
        for &k in labels.generated {
            self.by_generated.entry(k).or_default().push(index);
        }
    }

    /// The workloads that may satisfy an `In` requirement.
    fn candidates(&self, r: &Requirement) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(values) = self.by_label.get(r.key.as_str()) {
            for v in &r.values {
                if let Some(list) = values.get(v.as_str()) {
                    out.extend_from_slice(list);
                }
            }
        }
        if let Some(list) = self.by_generated.get(r.key.as_str()) {
            out.extend_from_slice(list);
        }
        out
    }
}

/// API groups of Kubernetes itself.
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// API groups of add-ons whose custom resources never create pods or Services: policy
/// engines, certificate and secret managers, monitoring rules, network policies.
const INERT_GROUPS: &[&str] = &[
    "acme.cert-manager.io",
    "bitnami.com",
    "cert-manager.io",
    "cilium.io",
    "constraints.gatekeeper.sh",
    "crd.projectcalico.org",
    "external-secrets.io",
    "generators.external-secrets.io",
    "kyverno.io",
    "mutations.gatekeeper.sh",
    "networking.istio.io",
    "policy.linkerd.io",
    "projectcalico.org",
    "secrets-store.csi.x-k8s.io",
    "security.istio.io",
    "snapshot.storage.k8s.io",
    "telemetry.istio.io",
    "templates.gatekeeper.sh",
    "traefik.containo.us",
    "traefik.io",
    "wgpolicyk8s.io",
];

/// Kinds of groups that also hold pod-creating kinds, known never to create pods or
/// Services themselves.
const INERT_KINDS: &[(&str, &str)] = &[
    ("autoscaling.k8s.io", "VerticalPodAutoscaler"),
    ("gateway.networking.k8s.io", "GRPCRoute"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
    ("gateway.networking.k8s.io", "ReferenceGrant"),
    ("gateway.networking.k8s.io", "TCPRoute"),
    ("gateway.networking.k8s.io", "TLSRoute"),
    ("gateway.networking.k8s.io", "UDPRoute"),
    ("keda.sh", "ClusterTriggerAuthentication"),
    ("keda.sh", "ScaledObject"),
    ("keda.sh", "TriggerAuthentication"),
    ("monitoring.coreos.com", "AlertmanagerConfig"),
    ("monitoring.coreos.com", "PodMonitor"),
    ("monitoring.coreos.com", "Probe"),
    ("monitoring.coreos.com", "PrometheusRule"),
    ("monitoring.coreos.com", "ScrapeConfig"),
    ("monitoring.coreos.com", "ServiceMonitor"),
];

/// Whether an object without a pod template is a custom resource that an operator may
/// turn into pods or Services.
fn may_create_pods_or_services(o: &Object) -> bool {
    let group = o.group();
    !BUILTIN_GROUPS.contains(&group)
        && !INERT_GROUPS.contains(&group)
        && !INERT_KINDS.contains(&(group, o.kind.as_str()))
}

/// The labels every pod of a workload carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodLabels<'a> {
    /// The labels written in the pod template (the Pod's own labels for a Pod), in order.
    pub fixed: Vec<(&'a str, &'a str)>,
    /// Labels the controller adds to each pod with a value not known from the manifest
    /// (`pod-template-hash`, `controller-revision-hash`, `job-name`, ...).
    pub generated: &'static [&'static str],
}

/// What a label of a pod is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelValue<'a> {
    Absent,
    Value(&'a str),
    /// Set by the controller, with a value unknown before run time.
    Unknown,
}

impl<'a> PodLabels<'a> {
    /// The pod labels of a workload, or None when the object has no pod template.
    pub fn of(obj: &'a Object) -> Option<PodLabels<'a>> {
        let pod = PodSpec::of(obj)?;
        let fixed = pod
            .metadata
            .and_then(|m| m.get("labels"))
            .map(Node::entries)
            .unwrap_or_default()
            .map(|(k, v)| (k.name.as_str(), v.scalar_text().unwrap_or("")))
            .collect();
        Some(PodLabels {
            fixed,
            generated: generated_labels(obj),
        })
    }

    pub fn get(&self, key: &str) -> LabelValue<'a> {
        if let Some(&(_, v)) = self.fixed.iter().rev().find(|(k, _)| *k == key) {
            LabelValue::Value(v)
        } else if self.generated.contains(&key) {
            LabelValue::Unknown
        } else {
            LabelValue::Absent
        }
    }
}

impl fmt::Display for PodLabels<'_> {
    /// `app=web, tier=frontend`, or `no labels`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fixed.is_empty() {
            return f.write_str("no labels");
        }
        for (i, (k, v)) in self.fixed.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

const JOB_LABELS: &[&str] = &[
    "controller-uid",
    "job-name",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/job-completion-index",
];

/// The labels a controller adds to the pods it creates.
fn generated_labels(obj: &Object) -> &'static [&'static str] {
    let list: &[&'static str] = match (obj.group(), obj.kind.as_str()) {
        ("apps" | "extensions", "Deployment") => &["pod-template-hash"],
        ("apps", "StatefulSet") => &[
            "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name",
            "apps.kubernetes.io/pod-index",
        ],
        ("apps" | "extensions", "DaemonSet") => &["controller-revision-hash", "pod-template-generation"],
        ("batch", "Job" | "CronJob") => JOB_LABELS,
        ("argoproj.io", "Rollout") => &["rollouts-pod-template-hash"],
        ("" | "apps.openshift.io", "DeploymentConfig") => &["deployment", "deploymentconfig"],
        _ => &[],
    };
    list
}

/// The operator of a label selector requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One requirement of a label selector. `matchLabels` entries are `In` requirements with
/// one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Operator,
    pub values: Vec<String>,
    /// Written as a `matchLabels` entry (for display).
    pub equality: bool,
}

/// A label selector: pods match when they satisfy every requirement. The empty selector
/// matches every pod; what a null or missing selector means depends on the field (every
/// pod for a NetworkPolicy `podSelector`, none for a PodDisruptionBudget, "no selector"
/// for a Service), so callers decide before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// Reads a `metav1.LabelSelector` (`matchLabels` and `matchExpressions`). Fails, as
    /// the API server would, on an unknown operator, on `In`/`NotIn` without values and on
    /// `Exists`/`DoesNotExist` with values.
    pub fn parse(node: &Node) -> Result<LabelSelector, String> {
        if node.is_null() {
            return Ok(LabelSelector::default());
        }
        if node.as_map().is_none() {
            return Err("the selector is not a mapping".to_string());
        }
        let mut sel = LabelSelector::from_map(node.get("matchLabels").unwrap_or(&Node::null(node.pos)));
        for expr in node.get("matchExpressions").map(Node::items).unwrap_or_default() {
            let key = expr
                .get("key")
                .and_then(Node::scalar_text)
                .ok_or("a matchExpressions entry has no key")?;
            let values: Vec<String> = expr
                .get("values")
                .map(Node::items)
                .unwrap_or_default()
                .filter_map(Node::scalar_text)
                .map(str::to_string)
                .collect();
            let op = match expr.get("operator").and_then(Node::scalar_text) {
                Some("In") => Operator::In,
                Some("NotIn") => Operator::NotIn,
                Some("Exists") => Operator::Exists,
                Some("DoesNotExist") => Operator::DoesNotExist,
                Some(other) => return Err(format!("unknown operator \"{other}\" for key \"{key}\"")),
                None => return Err(format!("no operator for key \"{key}\"")),
            };
            match op {
                Operator::In | Operator::NotIn if values.is_empty() => {
                    return Err(format!("operator {op:?} for key \"{key}\" needs values"));
                }
                Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                    return Err(format!("operator {op:?} for key \"{key}\" takes no values"));
                }
                _ => {}
            }
            sel.requirements.push(Requirement {
                key: key.to_string(),
                op,
                values,
                equality: false,
            });
        }
        Ok(sel)
    }

    /// A plain `key: value` map (a Service's `spec.selector`, a `matchLabels`).
    pub fn from_map(node: &Node) -> LabelSelector {
        LabelSelector {
            requirements: node
                .entries()
                .map(|(k, v)| Requirement {
                    key: k.name.to_string(),
                    op: Operator::In,
                    values: vec![v.scalar_text().unwrap_or("").to_string()],
                    equality: true,
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether pods with these labels satisfy every requirement. A label whose value the
    /// controller sets at run time satisfies any requirement but `DoesNotExist`.
    pub fn matches(&self, labels: &PodLabels) -> bool {
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key);
            match r.op {
                Operator::In => match value {
                    LabelValue::Value(v) => r.values.iter().any(|x| x == v),
                    LabelValue::Unknown => true,
                    LabelValue::Absent => false,
                },
                Operator::NotIn => match value {
                    LabelValue::Value(v) => !r.values.iter().any(|x| x == v),
                    LabelValue::Unknown | LabelValue::Absent => true,
                },
                Operator::Exists => value != LabelValue::Absent,
                Operator::DoesNotExist => value == LabelValue::Absent,
            }
        })
    }
}

impl fmt::Display for LabelSelector {
    /// The `kubectl` selector syntax: `app=web, tier in (a, b), !debug`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("{}");
        }
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match r.op {
                Operator::In if r.equality => write!(f, "{}={}", r.key, r.values[0])?,
                Operator::In => write!(f, "{} in ({})", r.key, r.values.join(", "))?,
                Operator::NotIn => write!(f, "{} notin ({})", r.key, r.values.join(", "))?,
                Operator::Exists => f.write_str(&r.key)?,
                Operator::DoesNotExist => write!(f, "!{}", r.key)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use super::*;

    fn objects(yaml: &str) -> Vec<Object> {
        let source = Arc::new(Source::new("test.yaml".to_string(), Some(yaml.to_string())));
        let parsed = parse_source(&source, &Limits::default());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed.objects
    }

    fn selector(yaml: &str) -> Result<LabelSelector, String> {
        let objs = objects(&format!(
            "apiVersion: v1\nkind: Selector\nmetadata:\n  name: s\nspec:\n{}",
            yaml.lines().fold(String::new(), |mut out, l| {
                let _ = writeln!(out, "  {l}");
                out
            })
        ));
        LabelSelector::parse(objs[0].root.get("spec").unwrap())
    }

    fn labels<'a>(pairs: &[(&'a str, &'a str)], generated: &'static [&'static str]) -> PodLabels<'a> {
        PodLabels {
            fixed: pairs.to_vec(),
            generated,
        }
    }

    #[test]
    fn empty_selector_matches_everything() {
        let s = selector("{}").unwrap();
        assert!(s.is_empty());
        assert!(s.matches(&labels(&[], &[])));
        assert!(s.matches(&labels(&[("app", "web")], &[])));
        assert_eq!(s.to_string(), "{}");
        let s = selector("matchLabels: {}\nmatchExpressions: []").unwrap();
        assert!(s.is_empty());
    }

    #[test]
    fn match_labels_need_every_pair() {
        let s = selector("matchLabels:\n  app: web\n  tier: front").unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "front"), ("x", "y")], &[])));
        assert!(!s.matches(&labels(&[("app", "web")], &[])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "back")], &[])));
        assert_eq!(s.to_string(), "app=web, tier=front");
    }

    #[test]
    fn expressions() {
        let s = selector(
            "matchExpressions:\n  - {key: env, operator: In, values: [prod, staging]}\n  - {key: debug, operator: DoesNotExist}",
        )
        .unwrap();
        assert!(s.matches(&labels(&[("env", "prod")], &[])));
        assert!(!s.matches(&labels(&[("env", "dev")], &[])));
        assert!(!s.matches(&labels(&[("env", "prod"), ("debug", "")], &[])));
        assert!(!s.matches(&labels(&[], &[])));
        assert_eq!(s.to_string(), "env in (prod, staging), !debug");

        // NotIn matches pods without the label, as in the API server.
        let s = selector("matchExpressions:\n  - {key: env, operator: NotIn, values: [dev]}").unwrap();
        assert!(s.matches(&labels(&[], &[])));
        assert!(s.matches(&labels(&[("env", "prod")], &[])));
        assert!(!s.matches(&labels(&[("env", "dev")], &[])));

        let s = selector("matchExpressions:\n  - {key: env, operator: Exists}").unwrap();
        assert!(s.matches(&labels(&[("env", "")], &[])));
        assert!(!s.matches(&labels(&[("other", "x")], &[])));
    }

    #[test]
    fn generated_labels_match_anything_but_does_not_exist() {
        let l = labels(&[("app", "db")], &["statefulset.kubernetes.io/pod-name"]);
        let s = selector("matchLabels:\n  app: db\n  statefulset.kubernetes.io/pod-name: db-0").unwrap();
        assert!(s.matches(&l));
        let s = selector(
            "matchExpressions:\n  - {key: statefulset.kubernetes.io/pod-name, operator: DoesNotExist}",
        )
        .unwrap();
        assert!(!s.matches(&l));
    }

    #[test]
    fn invalid_selectors_are_rejected() {
        assert!(selector("matchExpressions:\n  - {key: a, operator: Equals, values: [b]}").is_err());
        assert!(selector("matchExpressions:\n  - {key: a, operator: In}").is_err());
        assert!(selector("matchExpressions:\n  - {key: a, operator: In, values: []}").is_err());
        assert!(selector("matchExpressions:\n  - {key: a, operator: Exists, values: [b]}").is_err());
        assert!(selector("matchExpressions:\n  - {operator: Exists}").is_err());
    }

    #[test]
    fn null_selector_parses_as_empty_and_callers_decide() {
        let objs = objects("apiVersion: v1\nkind: Selector\nmetadata:\n  name: s\nspec:\n  selector:\n");
        let node = objs[0].root.at("spec.selector").unwrap();
        assert!(node.is_null());
        assert!(LabelSelector::parse(node).unwrap().is_empty());
    }

    const SCAN: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: db}
    spec:
      containers: [{name: db, image: postgres}]
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: elsewhere, labels: {app: web}}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-only, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: db}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: all, namespace: elsewhere}
spec:
  selector: {}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: none, namespace: shop}
spec:
  selector: {}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
";

    #[test]
    fn selection_by_namespace_and_labels() {
        let objs = objects(SCAN);
        let inv = Inventory::build(&objs);
        assert_eq!(inv.workloads_in("shop"), &[0, 1]);
        assert_eq!(inv.in_namespace("NetworkPolicy", "shop"), &[3]);
        let web = LabelSelector {
            requirements: vec![Requirement {
                key: "app".to_string(),
                op: Operator::In,
                values: vec!["web".to_string()],
                equality: true,
            }],
        };
        assert_eq!(inv.selected("shop", &web), vec![0]);
        assert_eq!(inv.selected("elsewhere", &web), vec![2]);
        assert!(inv.selected("nowhere", &web).is_empty());
        assert_eq!(inv.selected("shop", &LabelSelector::default()), vec![0, 1]);
        // A StatefulSet's pods carry their pod name as a label.
        let pod0 = selector("matchLabels:\n  statefulset.kubernetes.io/pod-name: db-0").unwrap();
        assert_eq!(inv.selected("shop", &pod0), vec![1]);
        assert_eq!(inv.pod_labels(0).unwrap().to_string(), "app=web, tier=front");
        assert!(inv.pod_labels(3).is_none());
    }

    #[test]
    fn policies_and_autoscalers() {
        let objs = objects(SCAN);
        let inv = Inventory::build(&objs);
        assert!(!inv.selected_by_network_policy(0, "shop"));
        assert!(inv.selected_by_network_policy(1, "shop"));
        // An empty selector selects every pod in policy/v1, none in policy/v1beta1.
        assert!(inv.selected_by_disruption_budget(2, "elsewhere"));
        assert!(!inv.selected_by_disruption_budget(0, "shop"));
        assert!(inv.autoscaled("Deployment", "shop", "web"));
        assert!(!inv.autoscaled("Deployment", "shop", "db"));
        assert!(!inv.has_custom_resources("shop"));
        assert_eq!(Inventory::index_of(&objs, &objs[4]), Some(4));
    }

    #[test]
    fn custom_resources_may_hide_pods() {
        let objs = objects(
            "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: a, namespace: x}\n---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: b, namespace: y}\n---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: z}\n",
        );
        let inv = Inventory::build(&objs);
        assert!(!inv.has_custom_resources("x"));
        assert!(inv.has_custom_resources("y"));
        assert!(!inv.has_custom_resources("z"));
    }

    #[test]
    fn binding_index_agrees_with_the_subjects() {
        let objs = objects(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
subjects:
- {kind: ServiceAccount, name: ci, namespace: build}
- {kind: ServiceAccount, name: orphan}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: build}
subjects:
- {kind: ServiceAccount, name: deployer}
- {kind: User, name: \"system:serviceaccount:web:front\"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: c}
subjects:
- {kind: Group, name: \"system:serviceaccounts:web\"}
- {kind: Group, name: \"system:serviceaccounts:web\"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: d}
subjects:
- {kind: Group, name: system:authenticated}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: e}
subjects:
- {kind: Group, name: system:serviceaccounts}
- {kind: User, name: jane}
- {kind: ServiceAccount, name: ci, namespace: \"\"}
---
apiVersion: other.example.com/v1
kind: RoleBinding
metadata: {name: f, namespace: build}
subjects:
- {kind: ServiceAccount, name: deployer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: g, namespace: default}
subjects:
- {kind: ServiceAccount, name: ci}
",
        );
        let inv = Inventory::build(&objs);
        let accounts = [
            ("build", "ci"),
            ("build", "deployer"),
            ("web", "front"),
            ("web", "other"),
            ("default", "ci"),
            ("default", "orphan"),
            ("x", "y"),
        ];
        for (ns, name) in accounts {
            let direct: Vec<usize> = (0..objs.len())
                .filter(|&i| binding_subjects(&objs[i]).any(|s| s.matches_service_account(ns, name)))
                .collect();
            assert_eq!(inv.bindings_of_service_account(ns, name), direct, "{ns}/{name}");
        }
        assert_eq!(inv.bindings_of_service_account("build", "ci"), vec![0, 3, 4]);
        assert_eq!(inv.bindings_of_service_account("web", "other"), vec![2, 3, 4]);
        assert_eq!(inv.bindings_of_service_account("default", "ci"), vec![3, 4, 6]);
    }
}
