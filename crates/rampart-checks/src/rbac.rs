//! RBAC analysis shared by the RBAC checks: what a rule grants, and who is bound to what.
//!
//! Rule matching follows the API server's RBAC authorizer. A verb matches itself or `*`;
//! an API group matches itself or `*` (the core group is `""`); a resource matches itself,
//! `*` (every resource and every subresource) or, for a subresource, `*/<subresource>`
//! (`pods/*` is not a wildcard and matches only a subresource literally named `*`). A rule
//! with `resourceNames` allows requests on the named objects only, so it never allows
//! `create` of a top-level resource or `deletecollection`, whose object names are unknown
//! when they are authorized. The rules of a Role apply to requests in its namespace only,
//! so a Role never grants what the API server authorizes without a namespace (nodes,
//! PersistentVolumes, webhook configurations, impersonating users and groups, ...). The
//! rules of a ClusterRole with an `aggregationRule` are overwritten by the controller
//! manager with the union of the rules of the ClusterRoles its selectors match.
//!
//! A binding's ServiceAccount subject without a namespace means the RoleBinding's own
//! namespace (and nothing at all in a ClusterRoleBinding). A service account is also a
//! member of the groups `system:serviceaccounts`, `system:serviceaccounts:<namespace>` and
//! `system:authenticated`, and its user name is `system:serviceaccount:<namespace>:<name>`.
//!
//! Nothing here claims that a subject lacks a permission: the scan may hold only part of
//! the cluster's RBAC objects.

use std::collections::HashSet;

use rampart_model::{Node, Object};

use crate::Emitter;
use crate::inventory::{Inventory, namespace_of};

/// The API group of Roles, ClusterRoles and their bindings.
pub const API_GROUP: &str = "rbac.authorization.k8s.io";

/// One string of a rule's list, with its index in the list and its node.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub text: &'a str,
    pub index: usize,
    pub node: &'a Node,
}

impl Item<'_> {
    /// Whether the item is a wildcard (`*`, or `*/<subresource>` in `resources`).
    pub fn is_wildcard(&self) -> bool {
        self.text == "*" || self.text.starts_with("*/")
    }
}

fn list<'a>(rule: &'a Node, field: &str) -> Vec<Item<'a>> {
    rule.get(field)
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
        .filter_map(|(index, node)| {
            Some(Item {
                text: node.scalar_text()?,
                index,
                node,
            })
        })
        .collect()
}

/// One rule of a Role or ClusterRole.
#[derive(Debug, Clone)]
pub struct Rule<'a> {
    /// Index in `rules`.
    pub index: usize,
    pub node: &'a Node,
    pub api_groups: Vec<Item<'a>>,
    pub resources: Vec<Item<'a>>,
    pub verbs: Vec<Item<'a>>,
    pub resource_names: Vec<Item<'a>>,
    pub non_resource_urls: Vec<Item<'a>>,
}

/// The items of a rule through which it matches a request.
#[derive(Debug, Clone, Copy)]
pub struct Match<'a> {
    pub verb: Item<'a>,
    pub group: Item<'a>,
    pub resource: Item<'a>,
}

impl<'a> Match<'a> {
    /// The wildcard items among the matching ones, with the field each is in.
    pub fn wildcards(&self) -> Vec<(&'static str, Item<'a>)> {
        [
            ("verbs", self.verb),
            ("resources", self.resource),
            ("apiGroups", self.group),
        ]
        .into_iter()
        .filter(|(_, i)| i.is_wildcard())
        .collect()
    }
}

/// The exact item when there is one, else a wildcard one.
fn pick<'a>(
    items: &[Item<'a>],
    exact: impl Fn(&str) -> bool,
    wild: impl Fn(&str) -> bool,
) -> Option<Item<'a>> {
    items
        .iter()
        .find(|i| exact(i.text))
        .or_else(|| items.iter().find(|i| wild(i.text)))
        .copied()
}

impl<'a> Rule<'a> {
    pub fn parse(index: usize, node: &'a Node) -> Rule<'a> {
        Rule {
            index,
            node,
            api_groups: list(node, "apiGroups"),
            resources: list(node, "resources"),
            verbs: list(node, "verbs"),
            resource_names: list(node, "resourceNames"),
            non_resource_urls: list(node, "nonResourceURLs"),
        }
    }

    /// Whether the rule matches a request for `verb` on `resource` (`pods`, or
    /// `pods/exec` for a subresource) in API group `group` (`""` for the core group),
    /// whatever the object's name: the matching items, preferring exact ones to wildcards.
    pub fn matches(&self, verb: &str, group: &str, resource: &str) -> Option<Match<'a>> {
        let sub = resource.split_once('/').map(|(_, s)| s);
        Some(Match {
            verb: pick(&self.verbs, |v| v == verb, |v| v == "*")?,
            group: pick(&self.api_groups, |g| g == group, |g| g == "*")?,
            resource: pick(
                &self.resources,
                |r| r == resource,
                |r| r == "*" || sub.is_some_and(|s| r.strip_prefix("*/") == Some(s)),
            )?,
        })
    }

    /// What the rule grants for `verb` on `resource` in `group`: the matching items and the
    /// object names it is limited to (empty: any object). None when it grants nothing,
    /// including a `resourceNames` rule asked for `create` of a top-level resource or for
    /// `deletecollection`.
    pub fn grants(&self, verb: &str, group: &str, resource: &str) -> Option<(Match<'a>, Vec<&'a str>)> {
        let m = self.matches(verb, group, resource)?;
        let names: Vec<&str> = self.resource_names.iter().map(|i| i.text).collect();
        if !names.is_empty() && (verb == "deletecollection" || (verb == "create" && !resource.contains('/')))
        {
            return None;
        }
        Some((m, names))
    }
}

/// Whether the object is a Role or ClusterRole of the RBAC API group.
pub fn is_role(obj: &Object) -> bool {
    obj.group() == API_GROUP && matches!(obj.kind.as_str(), "Role" | "ClusterRole")
}

/// Whether a ClusterRole's rules are computed by aggregation.
pub fn is_aggregated(obj: &Object) -> bool {
    obj.kind == "ClusterRole" && obj.root.get("aggregationRule").is_some_and(|n| !n.is_null())
}

/// The rules of a Role or ClusterRole as written.
pub fn rules(obj: &Object) -> Vec<Rule<'_>> {
    obj.root
        .get("rules")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
        .map(|(i, n)| Rule::parse(i, n))
        .collect()
}

/// A permission: verbs on a resource (`pods`, `pods/exec`) of an API group.
#[derive(Debug)]
pub struct Perm {
    pub group: &'static str,
    pub resource: &'static str,
    pub verbs: &'static [&'static str],
    /// The API server authorizes the request without a namespace, so only a ClusterRole
    /// bound with a ClusterRoleBinding can grant it.
    pub cluster_scoped: bool,
}

/// A dangerous capability: any of a set of permissions.
#[derive(Debug)]
pub struct Capability {
    /// What it lets a subject do, for messages: "read secrets".
    pub does: &'static str,
    pub perms: &'static [Perm],
    /// Whether a rule limited by `resourceNames` does not count.
    pub names_limit: bool,
}

const fn perm(group: &'static str, resource: &'static str, verbs: &'static [&'static str]) -> Perm {
    Perm {
        group,
        resource,
        verbs,
        cluster_scoped: false,
    }
}

const fn cluster_perm(group: &'static str, resource: &'static str, verbs: &'static [&'static str]) -> Perm {
    Perm {
        group,
        resource,
        verbs,
        cluster_scoped: true,
    }
}

const READ: &[&str] = &["get", "list", "watch"];
const CHANGE: &[&str] = &["create", "update", "patch"];
const MANAGE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// Reading Secrets: `get`, `list` or `watch` on `secrets`. Rules limited to named Secrets
/// do not count.
pub static READ_SECRETS: Capability = Capability {
    does: "read secrets",
    perms: &[perm("", "secrets", READ)],
    names_limit: true,
};

/// Making the cluster run a pod spec of one's choosing: creating pods, or creating or
/// changing the workload controllers that create them.
pub static CREATE_PODS: Capability = Capability {
    does: "create pods or workloads",
    perms: &[
        perm("", "pods", &["create"]),
        perm("apps", "deployments", CHANGE),
        perm("apps", "daemonsets", CHANGE),
        perm("apps", "statefulsets", CHANGE),
        perm("apps", "replicasets", CHANGE),
        perm("batch", "jobs", CHANGE),
        perm("batch", "cronjobs", CHANGE),
        perm("", "replicationcontrollers", CHANGE),
    ],
    names_limit: false,
};

/// Running commands in existing pods: exec, attach, or adding an ephemeral container.
/// `get` counts for exec and attach because WebSocket clients connect with an HTTP GET,
/// authorized as `get` before Kubernetes 1.35 (and later when the
/// `AuthorizePodWebsocketUpgradeCreatePermission` feature gate is off).
pub static EXEC_PODS: Capability = Capability {
    does: "run commands in pods",
    perms: &[
        perm("", "pods/exec", &["create", "get"]),
        perm("", "pods/attach", &["create", "get"]),
        perm("", "pods/ephemeralcontainers", &["update", "patch"]),
    ],
    names_limit: false,
};

/// Reaching the kubelet API of nodes through the API server.
pub static NODE_PROXY: Capability = Capability {
    does: "use the kubelet API through nodes/proxy",
    perms: &[cluster_perm("", "nodes/proxy", &["get", "create"])],
    names_limit: false,
};

/// Granting oneself more: `bind` and `escalate` on roles, `impersonate` on identities.
/// `bind` on ClusterRoles counts in a Role: it is checked in the namespace of the
/// RoleBinding being created.
pub static ESCALATE: Capability = Capability {
    does: "bind, escalate or impersonate",
    perms: &[
        perm(API_GROUP, "roles", &["bind", "escalate"]),
        perm(API_GROUP, "clusterroles", &["bind"]),
        cluster_perm(API_GROUP, "clusterroles", &["escalate"]),
        cluster_perm("", "users", &["impersonate"]),
        cluster_perm("", "groups", &["impersonate"]),
        perm("", "serviceaccounts", &["impersonate"]),
    ],
    names_limit: false,
};

/// Changing or removing admission webhooks.
pub static WEBHOOKS: Capability = Capability {
    does: "change admission webhooks",
    perms: &[
        cluster_perm(
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            MANAGE,
        ),
        cluster_perm(
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            MANAGE,
        ),
    ],
    names_limit: false,
};

/// Approving certificate signing requests (the first half of approving certificates).
pub static CSR_APPROVAL: Capability = Capability {
    does: "approve certificate signing requests",
    perms: &[cluster_perm(
        "certificates.k8s.io",
        "certificatesigningrequests/approval",
        &["update", "patch"],
    )],
    names_limit: false,
};

/// Approving for a signer (the second half of approving certificates).
pub static CSR_SIGNERS: Capability = Capability {
    does: "approve for certificate signers",
    perms: &[cluster_perm("certificates.k8s.io", "signers", &["approve"])],
    names_limit: false,
};

/// Minting tokens for service accounts.
pub static SERVICE_ACCOUNT_TOKEN: Capability = Capability {
    does: "create service account tokens",
    perms: &[perm("", "serviceaccounts/token", &["create"])],
    names_limit: false,
};

/// Creating PersistentVolumes (hostPath volumes among them).
pub static CREATE_PERSISTENT_VOLUMES: Capability = Capability {
    does: "create PersistentVolumes",
    perms: &[cluster_perm("", "persistentvolumes", &["create"])],
    names_limit: false,
};

/// What one rule grants of one permission of a capability.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub perm: &'static Perm,
    /// The permission's verbs the rule allows.
    pub verbs: Vec<&'static str>,
    /// The `resources` item through which the first verb matched.
    pub resource: Item<'a>,
    /// Wildcard items involved, with their field.
    pub wildcards: Vec<(&'static str, Item<'a>)>,
    /// The object names the rule is limited to (empty: any).
    pub names: Vec<&'a str>,
}

/// What `rule` grants of `cap`. `namespaced` is true for the rules of a Role, which
/// cannot grant cluster-scoped permissions.
pub fn hits<'a>(rule: &Rule<'a>, cap: &'static Capability, namespaced: bool) -> Vec<Hit<'a>> {
    let mut out = Vec::new();
    for p in cap.perms {
        if namespaced && p.cluster_scoped {
            continue;
        }
        let mut hit: Option<Hit<'a>> = None;
        for verb in p.verbs {
            let Some((m, names)) = rule.grants(verb, p.group, p.resource) else {
                continue;
            };
            if cap.names_limit && !names.is_empty() {
                continue;
            }
            match &mut hit {
                Some(h) => {
                    h.verbs.push(verb);
                    for w in m.wildcards() {
                        if !h.wildcards.iter().any(|(f, i)| *f == w.0 && i.index == w.1.index) {
                            h.wildcards.push(w);
                        }
                    }
                }
                None => {
                    hit = Some(Hit {
                        perm: p,
                        verbs: vec![verb],
                        resource: m.resource,
                        wildcards: m.wildcards(),
                        names,
                    });
                }
            }
        }
        out.extend(hit);
    }
    out
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rule 2 allows get, list on secrets and create on pods/exec (through "*" in verbs;
/// only resourceNames "a", "b")`.
pub fn describe(rule: &Rule<'_>, hits: &[Hit<'_>]) -> String {
    // Merge the verbs per resource, then group resources allowed the same verbs:
    // "create, update, patch on deployments, jobs".
    let mut by_resource: Vec<(&str, Vec<&str>)> = Vec::new();
    for h in hits {
        let i = by_resource
            .iter()
            .position(|(r, _)| *r == h.perm.resource)
            .unwrap_or_else(|| {
                by_resource.push((h.perm.resource, Vec::new()));
                by_resource.len() - 1
            });
        let slot = &mut by_resource[i].1;
        for v in &h.verbs {
            if !slot.contains(v) {
                slot.push(v);
            }
        }
    }
    let mut parts: Vec<(String, Vec<&str>)> = Vec::new();
    for (resource, verbs) in by_resource {
        let verbs = verbs.join(", ");
        match parts.iter_mut().find(|(v, _)| *v == verbs) {
            Some((_, res)) => res.push(resource),
            None => parts.push((verbs, vec![resource])),
        }
    }
    let what = parts
        .iter()
        .map(|(v, r)| format!("{v} on {}", r.join(", ")))
        .collect::<Vec<_>>()
        .join(" and ");
    let mut notes = Vec::new();
    let mut wild: Vec<String> = Vec::new();
    for h in hits {
        for (field, item) in &h.wildcards {
            let w = format!("\"{}\" in {field}", item.text);
            if !wild.contains(&w) {
                wild.push(w);
            }
        }
    }
    if !wild.is_empty() {
        notes.push(format!("through {}", wild.join(", ")));
    }
    let mut names: Vec<&str> = Vec::new();
    for h in hits {
        for n in &h.names {
            if !names.contains(n) {
                names.push(n);
            }
        }
    }
    if !names.is_empty() {
        notes.push(format!("only resourceNames {}", quoted(&names)));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    format!("rule {} allows {what}{notes}", rule.index)
}

/// The rules of a Role or ClusterRole that grant something of `cap`, with what they
/// grant. Nothing for other objects and for aggregated ClusterRoles.
pub fn offending_rules<'a>(obj: &'a Object, cap: &'static Capability) -> Vec<(Rule<'a>, Vec<Hit<'a>>)> {
    if !is_role(obj) || is_aggregated(obj) {
        return Vec::new();
    }
    let namespaced = obj.kind == "Role";
    rules(obj)
        .into_iter()
        .filter_map(|r| {
            let h = hits(&r, cap, namespaced);
            (!h.is_empty()).then_some((r, h))
        })
        .collect()
}

/// Reports a finding at the `resources` item through which `hits[0]` matched.
pub fn report(out: &mut Emitter<'_>, rule: &Rule<'_>, hits: &[Hit<'_>], message: String) {
    let item = hits[0].resource;
    out.object_at(
        item.node.pos,
        &format!("rules[{}].resources[{}]", rule.index, item.index),
        message,
    );
}

/// The usual rule check: one finding per rule of a Role or ClusterRole granting any of
/// `cap`, reading `<what the rule allows>; <advice>`.
///
/// A rule with `*` in both its verbs and its resources grants every permission of its API
/// groups; `rbac-wildcard` reports it once, as full control of its scope, so the
/// permission checks leave it out rather than report it once per dangerous permission.
pub fn check_rules(obj: &Object, out: &mut Emitter<'_>, cap: &'static Capability, advice: &str) {
    for (rule, hits) in offending_rules(obj, cap) {
        let through = |h: &Hit<'_>, field: &str| h.wildcards.iter().any(|(f, _)| *f == field);
        if hits
            .iter()
            .all(|h| through(h, "verbs") && through(h, "resources"))
        {
            continue;
        }
        let message = format!("{}; {advice}", describe(&rule, &hits));
        report(out, &rule, &hits, message);
    }
}

/// A subject of a RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// Index in `subjects`.
    pub index: usize,
    pub node: &'a Node,
    pub kind: &'a str,
    pub name: &'a str,
    /// For a ServiceAccount: its namespace, defaulted to the RoleBinding's.
    pub namespace: Option<&'a str>,
}

/// The service accounts a binding subject includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountSubject<'a> {
    /// One service account: `(namespace, name)`.
    Account(&'a str, &'a str),
    /// Every service account of a namespace.
    Namespace(&'a str),
    /// Every service account of the cluster.
    All,
}

impl AccountSubject<'_> {
    /// Whether service account `namespace/name` is included.
    pub fn covers(self, namespace: &str, name: &str) -> bool {
        match self {
            AccountSubject::Account(ns, n) => ns == namespace && n == name,
            AccountSubject::Namespace(ns) => ns == namespace,
            AccountSubject::All => true,
        }
    }
}

impl<'a> Subject<'a> {
    /// The service accounts whose tokens this subject matches: a ServiceAccount (with its
    /// namespace), a `system:serviceaccount:NS:NAME` user, or the groups
    /// `system:serviceaccounts:NS`, `system:serviceaccounts` and `system:authenticated`.
    pub fn account(&self) -> Option<AccountSubject<'a>> {
        match self.kind {
            "ServiceAccount" => Some(AccountSubject::Account(self.namespace?, self.name)),
            "User" => {
                let (ns, name) = self
                    .name
                    .strip_prefix("system:serviceaccount:")?
                    .split_once(':')?;
                Some(AccountSubject::Account(ns, name))
            }
            "Group" if matches!(self.name, "system:serviceaccounts" | "system:authenticated") => {
                Some(AccountSubject::All)
            }
            "Group" => self
                .name
                .strip_prefix("system:serviceaccounts:")
                .map(AccountSubject::Namespace),
            _ => None,
        }
    }

    /// Whether requests made with the token of service account `namespace/name` match.
    pub fn matches_service_account(&self, namespace: &str, name: &str) -> bool {
        self.account().is_some_and(|a| a.covers(namespace, name))
    }

    /// `service account "ci/deployer"`, `group "ops"`, `user "jane"`.
    pub fn label(&self) -> String {
        match (self.kind, self.namespace) {
            ("ServiceAccount", Some(ns)) => format!("service account \"{ns}/{}\"", self.name),
            ("ServiceAccount", None) => format!("service account \"{}\"", self.name),
            ("User", _) => format!("user \"{}\"", self.name),
            ("Group", _) => format!("group \"{}\"", self.name),
            (k, _) => format!("{k} \"{}\"", self.name),
        }
    }
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone)]
pub struct Binding<'a> {
    pub obj: &'a Object,
    /// The RoleBinding's namespace; None for a ClusterRoleBinding.
    pub namespace: Option<&'a str>,
    /// `Role` or `ClusterRole`.
    pub role_kind: &'a str,
    pub role_name: &'a str,
    pub subjects: Vec<Subject<'a>>,
}

impl<'a> Binding<'a> {
    /// The binding, when the object is a RoleBinding or ClusterRoleBinding of the RBAC API
    /// group with a `roleRef` naming a Role or ClusterRole.
    pub fn parse(obj: &'a Object) -> Option<Binding<'a>> {
        let namespace = binding_scope(obj)?;
        let role = obj.root.get("roleRef")?;
        let role_group = role
            .get("apiGroup")
            .and_then(Node::scalar_text)
            .unwrap_or(API_GROUP);
        let role_kind = role.get("kind").and_then(Node::scalar_text)?;
        let role_name = role.get("name").and_then(Node::scalar_text)?;
        if role_group != API_GROUP || !matches!(role_kind, "Role" | "ClusterRole") {
            return None;
        }
        let subjects = subjects_of(obj, namespace).collect();
        Some(Binding {
            obj,
            namespace,
            role_kind,
            role_name,
            subjects,
        })
    }

    /// `RoleBinding "ci/deployer"`, `ClusterRoleBinding "ops"`.
    pub fn label(&self) -> String {
        match self.namespace {
            Some(ns) => format!("RoleBinding \"{ns}/{}\"", self.obj.name),
            None => format!("ClusterRoleBinding \"{}\"", self.obj.name),
        }
    }

    /// The Role or ClusterRole it refers to, when it is in the scan. A ClusterRoleBinding
    /// referring to a Role refers to nothing.
    pub fn role<'o>(&self, objects: &'o [Object], inventory: &Inventory) -> Option<&'o Object> {
        let i = match (self.role_kind, self.namespace) {
            ("Role", Some(ns)) => inventory.find("Role", ns, self.role_name)?,
            ("ClusterRole", _) => inventory.find("ClusterRole", "default", self.role_name)?,
            _ => return None,
        };
        let o = &objects[i];
        is_role(o).then_some(o)
    }
}

/// The scope of a RoleBinding (`Some(namespace)`) or ClusterRoleBinding (`None`) of the
/// RBAC API group; `None` for any other object.
#[allow(clippy::option_option)]
fn binding_scope(obj: &Object) -> Option<Option<&str>> {
    if obj.group() != API_GROUP {
        return None;
    }
    match obj.kind.as_str() {
        "RoleBinding" => Some(Some(namespace_of(obj))),
        "ClusterRoleBinding" => Some(None),
        _ => None,
    }
}

/// The subjects of a binding with scope `scope`: a ServiceAccount without a namespace
/// belongs to the RoleBinding's namespace.
fn subjects_of<'a>(obj: &'a Object, scope: Option<&'a str>) -> impl Iterator<Item = Subject<'a>> {
    obj.root
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
        .filter_map(move |(index, node)| {
            let kind = node.get("kind").and_then(Node::scalar_text)?;
            let name = node.get("name").and_then(Node::scalar_text)?;
            let own = node
                .get("namespace")
                .and_then(Node::scalar_text)
                .filter(|n| !n.is_empty());
            Some(Subject {
                index,
                node,
                kind,
                name,
                namespace: if kind == "ServiceAccount" {
                    own.or(scope)
                } else {
                    own
                },
            })
        })
}

/// The subjects of a RoleBinding or ClusterRoleBinding of the RBAC API group, without
/// requiring a valid `roleRef` (nothing for any other object).
pub fn binding_subjects(obj: &Object) -> impl Iterator<Item = Subject<'_>> {
    let scope = binding_scope(obj);
    scope.map(|scope| subjects_of(obj, scope)).into_iter().flatten()
}

/// `Role "ci/deployer"`, `ClusterRole "view"`.
pub fn role_label(obj: &Object) -> String {
    if obj.kind == "Role" {
        format!("Role \"{}/{}\"", namespace_of(obj), obj.name)
    } else {
        format!("ClusterRole \"{}\"", obj.name)
    }
}

/// Whether a label selector matches an object's labels. A null or missing selector
/// matches nothing; an empty one matches everything.
pub fn selector_matches(selector: &Node, labels: Option<&Node>) -> bool {
    if selector.as_map().is_none() {
        return false;
    }
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Node::scalar_text);
    for (k, v) in selector.get("matchLabels").map(Node::entries).unwrap_or_default() {
        if label(&k.name) != v.scalar_text() {
            return false;
        }
    }
    for e in selector
        .get("matchExpressions")
        .map(Node::items)
        .unwrap_or_default()
    {
        let Some(key) = e.get("key").and_then(Node::scalar_text) else {
            return false;
        };
        let values: Vec<&str> = e
            .get("values")
            .map(Node::items)
            .unwrap_or_default()
            .filter_map(Node::scalar_text)
            .collect();
        let value = label(key);
        let ok = match e.get("operator").and_then(Node::scalar_text) {
            Some("In") => value.is_some_and(|v| values.contains(&v)),
            Some("NotIn") => !value.is_some_and(|v| values.contains(&v)),
            Some("Exists") => value.is_some(),
            Some("DoesNotExist") => value.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// The rules a Role or ClusterRole grants, with the role each comes from: its own rules,
/// or for an aggregated ClusterRole those of the ClusterRoles in the scan its selectors
/// match (recursively). The scan may not hold every aggregated ClusterRole.
pub fn effective_rules<'o>(
    objects: &'o [Object],
    inventory: &Inventory,
    role: &'o Object,
) -> Vec<(&'o Object, Rule<'o>)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    collect_rules(objects, inventory, role, &mut seen, &mut out);
    out
}

fn collect_rules<'o>(
    objects: &'o [Object],
    inventory: &Inventory,
    role: &'o Object,
    seen: &mut HashSet<*const Object>,
    out: &mut Vec<(&'o Object, Rule<'o>)>,
) {
    if !seen.insert(std::ptr::from_ref(role)) {
        return;
    }
    if !is_aggregated(role) {
        out.extend(rules(role).into_iter().map(|r| (role, r)));
        return;
    }
    let selectors: Vec<&Node> = role
        .root
        .at("aggregationRule.clusterRoleSelectors")
        .map(Node::items)
        .unwrap_or_default()
        .collect();
    for &i in inventory.of_kind("ClusterRole") {
        let o = &objects[i];
        if !is_role(o) || std::ptr::eq(o, role) {
            continue;
        }
        let labels = o.metadata().and_then(|m| m.get("labels"));
        if selectors.iter().any(|s| selector_matches(s, labels)) {
            collect_rules(objects, inventory, o, seen, out);
        }
    }
}

/// What the built-in ClusterRoles hold of the capabilities, for bindings whose role is not
/// in the scan. `cluster-admin` holds everything and is handled by callers.
pub fn builtin_capabilities(cluster_role: &str) -> &'static [&'static Capability] {
    // Both aggregate system:aggregate-to-edit: read and write on secrets, pods, pods/exec
    // and pods/attach, the workload controllers, and impersonate on serviceaccounts.
    static EDIT: [&Capability; 4] = [&READ_SECRETS, &CREATE_PODS, &EXEC_PODS, &ESCALATE];
    match cluster_role {
        "admin" | "edit" => &EDIT,
        _ => &[],
    }
}

/// Whether `name` is a built-in ClusterRole whose contents are known.
pub fn is_builtin_cluster_role(name: &str) -> bool {
    matches!(name, "cluster-admin" | "admin" | "edit" | "view")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_model::Pos;

    fn seq(items: &[&str]) -> Node {
        Node {
            value: rampart_model::Value::Seq(items.iter().map(|s| Node::string(*s, Pos::NONE)).collect()),
            pos: Pos::NONE,
        }
    }

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> Node {
        let key = |k: &str| rampart_model::Key {
            name: k.into(),
            pos: Pos::NONE,
        };
        Node {
            value: rampart_model::Value::Map(vec![
                (key("apiGroups"), seq(groups)),
                (key("resources"), seq(resources)),
                (key("verbs"), seq(verbs)),
                (key("resourceNames"), seq(names)),
            ]),
            pos: Pos::NONE,
        }
    }

    #[test]
    fn wildcard_semantics() {
        let n = rule(&[""], &["pods", "*/exec"], &["get", "create"], &[]);
        let r = Rule::parse(0, &n);
        assert!(r.matches("create", "", "pods").is_some());
        assert!(r.matches("create", "", "pods/exec").is_some());
        assert!(r.matches("create", "", "pods/attach").is_none());
        assert!(r.matches("create", "apps", "pods").is_none());
        assert!(r.matches("delete", "", "pods").is_none());

        let n = rule(&["*"], &["*"], &["*"], &[]);
        let r = Rule::parse(0, &n);
        let m = r.matches("escalate", API_GROUP, "clusterroles").unwrap();
        assert_eq!(m.wildcards().len(), 3);
        assert!(r.matches("create", "", "pods/exec").is_some());

        // `pods/*` is not a wildcard, and `pods` does not cover its subresources.
        let n = rule(&[""], &["pods/*", "pods"], &["create"], &[]);
        let r = Rule::parse(0, &n);
        assert!(r.matches("create", "", "pods/exec").is_none());
    }

    #[test]
    fn resource_names() {
        let n = rule(
            &[""],
            &["pods", "serviceaccounts/token", "secrets"],
            &["create", "get", "deletecollection"],
            &["a"],
        );
        let r = Rule::parse(0, &n);
        assert!(r.grants("create", "", "pods").is_none());
        assert!(r.grants("deletecollection", "", "secrets").is_none());
        assert_eq!(
            r.grants("create", "", "serviceaccounts/token").unwrap().1,
            vec!["a"]
        );
        assert_eq!(r.grants("get", "", "secrets").unwrap().1, vec!["a"]);
        assert!(hits(&r, &READ_SECRETS, true).is_empty());
        assert_eq!(hits(&r, &SERVICE_ACCOUNT_TOKEN, true).len(), 1);
    }

    #[test]
    fn roles_cannot_grant_cluster_scoped() {
        let n = rule(
            &[""],
            &["nodes/proxy", "serviceaccounts"],
            &["get", "impersonate"],
            &[],
        );
        let r = Rule::parse(0, &n);
        assert!(hits(&r, &NODE_PROXY, true).is_empty());
        assert_eq!(hits(&r, &NODE_PROXY, false).len(), 1);
        assert_eq!(hits(&r, &ESCALATE, true).len(), 1);
    }

    #[test]
    fn service_account_subjects() {
        let s = |kind: &'static str, name: &'static str, ns: Option<&'static str>| Subject {
            index: 0,
            node: Box::leak(Box::new(Node::null(Pos::NONE))),
            kind,
            name,
            namespace: ns,
        };
        assert!(s("ServiceAccount", "ci", Some("build")).matches_service_account("build", "ci"));
        assert!(!s("ServiceAccount", "ci", None).matches_service_account("build", "ci"));
        assert!(s("User", "system:serviceaccount:build:ci", None).matches_service_account("build", "ci"));
        assert!(!s("User", "system:serviceaccount:build:ci2", None).matches_service_account("build", "ci"));
        assert!(s("Group", "system:serviceaccounts:build", None).matches_service_account("build", "ci"));
        assert!(!s("Group", "system:serviceaccounts:other", None).matches_service_account("build", "ci"));
        assert!(s("Group", "system:authenticated", None).matches_service_account("build", "ci"));
    }
}
