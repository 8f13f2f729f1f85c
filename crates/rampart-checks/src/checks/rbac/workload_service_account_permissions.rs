use rampart_model::{Node, Object, PodSpec};

use crate::inventory::namespace_of;
use crate::rbac::{
    Binding, CREATE_PERSISTENT_VOLUMES, CREATE_PODS, Capability, ESCALATE, EXEC_PODS, Hit, NODE_PROXY,
    READ_SECRETS, SERVICE_ACCOUNT_TOKEN, WEBHOOKS, builtin_capabilities,
    effective_rules, hits, is_aggregated, is_builtin_cluster_role, role_label,
};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "workload-service-account-permissions",
        title: "Workload runs with a service account that holds dangerous permissions",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Workloads,
        finds: "Workloads whose service account (`serviceAccountName`, or the deprecated \
                `serviceAccount`, else `default`, in the workload's namespace) is bound, by \
                RoleBindings (of its own namespace or any other: a RoleBinding in another \
                namespace grants the account rights there) and ClusterRoleBindings in the \
                scan, to cluster-admin or to rules that read Secrets, create pods or workload \
                controllers, run commands in pods (exec, attach, ephemeral containers), \
                bind, escalate or impersonate, reach nodes/proxy, mint service account \
                tokens, change admission webhooks or create PersistentVolumes (the \
                permissions of the `rbac-*` checks). Bindings match the account by a \
                ServiceAccount subject, by its user name \
                `system:serviceaccount:<namespace>:<name>`, or by the groups \
                `system:serviceaccounts`, `system:serviceaccounts:<namespace>` and \
                `system:authenticated`. Aggregated ClusterRoles are evaluated from the \
                ClusterRoles in the scan their selectors match, and the built-in `admin`, \
                `edit` and `cluster-admin` ClusterRoles from their known contents. One \
                finding per workload, at `serviceAccountName` (or the pod spec when unset), \
                naming for each permission the binding, the role and the rule that grant \
                it. Roles that are not in the scan cannot be evaluated and produce no \
                finding, which does not mean the account is harmless. Workloads that do \
                not mount the token (`automountServiceAccountToken: false` on the pod, or \
                on the ServiceAccount in the scan, and no projected token volume) are not \
                reported.",
        why: "Every container of the workload can read the service account token mounted \
              in it, so anyone who gets code execution in any of them (a vulnerable \
              dependency, a server-side request forgery reaching the filesystem, a \
              malicious image update) gets the account's permissions. With these \
              permissions one compromised pod becomes the namespace or the cluster: read \
              every Secret, start privileged pods, exec into other pods, or grant itself \
              more.",
        remediation: "Give the workload its own service account bound to a Role with only \
                      the verbs and resources it uses (the API server's audit log shows \
                      them), move permissions that only an installer or operator needs \
                      away from the running workload, and set \
                      `automountServiceAccountToken: false` when it does not call the API.",
        example: "spec:\n  serviceAccountName: orders-api\n  automountServiceAccountToken: false\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-distribution-of-privileged-tokens",
            "https://kubernetes.io/docs/concepts/security/service-accounts/",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions",
        ],
        controls: &[
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1609",
            "mitre-attack-containers:T1610",
            "mitre-attack-containers:T1053.007",
            "mitre-attack-containers:T1098.006",
            "mitre-attack-containers:T1562.001",
            "mitre-attack-containers:T1552.007",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.5",
            "soc2:CC6.3",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// The capabilities reported, in message order.
static CAPABILITIES: &[&Capability] = &[
    &READ_SECRETS,
    &CREATE_PODS,
    &EXEC_PODS,
    &ESCALATE,
    &NODE_PROXY,
    &SERVICE_ACCOUNT_TOKEN,
    &WEBHOOKS,
    &CREATE_PERSISTENT_VOLUMES,
];

fn non_empty(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::scalar_text).filter(|s| !s.is_empty())
}

/// The pod's service account and the field naming it (None: unset, so `default`).
fn service_account<'a>(pod: &PodSpec<'a>) -> (&'a str, Option<&'static str>) {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = non_empty(pod.node.get(field)) {
            return (name, Some(field));
        }
    }
    ("default", None)
}

/// Whether the pod gets a token of its service account: automounted, or requested by a
/// projected volume.
fn token_mounted(ctx: &Ctx<'_>, pod: &PodSpec<'_>, namespace: &str, account: &str) -> bool {
    let projected = pod
        .node
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .any(|v| {
            v.at("projected.sources")
                .map(Node::items)
                .unwrap_or_default()
                .any(|s| s.get("serviceAccountToken").is_some_and(|t| !t.is_null()))
        });
    if projected {
        return true;
    }
    match pod
        .node
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
    {
        Some(b) => b,
        None => !ctx
            .inventory
            .find("ServiceAccount", namespace, account)
            .map(|i| &ctx.objects[i])
            .filter(|sa| sa.group().is_empty())
            .is_some_and(|sa| {
                sa.root
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool)
                    == Some(false)
            }),
    }
}

/// How a permission reaches the account.
struct Chain {
    /// "read secrets".
    does: String,
    /// `in namespace "ci" (RoleBinding "ci/x" -> ClusterRole "y", rule 1)`.
    how: String,
}

/// What a capability lets the account do, precise for the escalation verbs.
fn does(cap: &Capability, hits: &[Hit<'_>]) -> String {
    if !std::ptr::eq(cap, &ESCALATE) {
        return cap.does.to_string();
    }
    let mut verbs: Vec<&str> = Vec::new();
    for (verb, what) in [
        ("bind", "bind roles"),
        ("escalate", "escalate roles"),
        ("impersonate", "impersonate other identities"),
    ] {
        if hits.iter().any(|h| h.verbs.contains(&verb)) && !verbs.contains(&what) {
            verbs.push(what);
        }
    }
    verbs.join(" and ")
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let (account, field) = service_account(&pod);
    let namespace = namespace_of(obj);
    if !token_mounted(ctx, &pod, namespace, account) {
        return;
    }

    // cluster-admin grants, by scope (None: cluster-wide).
    let mut admin: Vec<(Option<&str>, String)> = Vec::new();
    let mut found: Vec<Option<Chain>> = CAPABILITIES.iter().map(|_| None).collect();
    // ClusterRoleBindings first, so that a cluster-wide grant is the one reported; then the
    // RoleBindings of the workload's namespace, then those of other namespaces, which grant
    // the account rights there.
    let candidates = ctx.inventory.bindings_of_service_account(namespace, account);
    let is_cluster = |i: &&usize| ctx.objects[**i].kind == "ClusterRoleBinding";
    let in_own = |i: &&usize| namespace_of(&ctx.objects[**i]) == namespace;
    let cluster = candidates.iter().filter(is_cluster);
    let own = candidates.iter().filter(|i| !is_cluster(i) && in_own(i));
    let other = candidates.iter().filter(|i| !is_cluster(i) && !in_own(i));
    let mut bindings = Vec::new();
    for &i in cluster.chain(own).chain(other) {
        let Some(b) = Binding::parse(&ctx.objects[i]) else {
            continue;
        };
        let Some(subject) = b
            .subjects
            .iter()
            .find(|s| s.matches_service_account(namespace, account))
        else {
            continue;
        };
        let scope = match b.namespace {
            Some(ns) => format!("in namespace \"{ns}\""),
            None => "cluster-wide".to_string(),
        };
        let via = if subject.kind == "ServiceAccount" {
            b.label()
        } else {
            format!("{} to {}", b.label(), subject.label())
        };
        if b.role_kind == "ClusterRole" && b.role_name == "cluster-admin" {
            if !admin.iter().any(|(ns, _)| *ns == b.namespace) {
                admin.push((b.namespace, format!("is bound to cluster-admin {scope} ({via})")));
            }
            continue;
        }
        bindings.push((b, scope, via));
    }
    let admin_wide = admin.iter().any(|(ns, _)| ns.is_none());
    for (b, scope, via) in bindings {
        // What cluster-admin already grants is not listed again.
        if admin_wide || (b.namespace.is_some() && admin.iter().any(|(ns, _)| *ns == b.namespace)) {
            continue;
        }
        let cluster_wide = b.namespace.is_none();
        let role = b.role(ctx.objects, ctx.inventory);
        if let Some(role) = role {
            let rules = effective_rules(ctx.objects, ctx.inventory, role);
            for (slot, cap) in found.iter_mut().zip(CAPABILITIES) {
                if slot.is_some() {
                    continue;
                }
                let granted = rules.iter().find_map(|(source, r)| {
                    let h = hits(r, cap, !cluster_wide);
                    (!h.is_empty()).then_some((source, r, h))
                });
                if let Some((source, rule, h)) = granted {
                    let through = if std::ptr::eq(*source, role) {
                        String::new()
                    } else {
                        format!(" -> {}", role_label(source))
                    };
                    *slot = Some(Chain {
                        does: does(cap, &h),
                        how: format!(
                            "{scope} ({via} -> {}{through}, rule {})",
                            role_label(role),
                            rule.index
                        ),
                    });
                }
            }
        }
        let builtin = b.role_kind == "ClusterRole"
            && is_builtin_cluster_role(b.role_name)
            && role.is_none_or(is_aggregated);
        if builtin {
            for (slot, cap) in found.iter_mut().zip(CAPABILITIES) {
                if slot.is_none()
                    && builtin_capabilities(b.role_name)
                        .iter()
                        .any(|c| std::ptr::eq(*c, *cap))
                {
                    *slot = Some(Chain {
                        // The built-in roles hold impersonate on service accounts only.
                        does: if std::ptr::eq(*cap, &ESCALATE) {
                            "impersonate service accounts".to_string()
                        } else {
                            cap.does.to_string()
                        },
                        how: format!("{scope} ({via} -> built-in ClusterRole \"{}\")", b.role_name),
                    });
                }
            }
        }
    }

    let mut parts: Vec<String> = Vec::new();
    // Cluster-wide cluster-admin says it all; a namespace's cluster-admin implies every
    // other grant within that namespace (those bindings were skipped above).
    parts.extend(
        admin
            .iter()
            .filter(|(ns, _)| !admin_wide || ns.is_none())
            .map(|(_, text)| text.clone()),
    );
    if !admin_wide {
        let chains: Vec<Chain> = found.into_iter().flatten().collect();
        // Permissions that come through the same binding and role share one explanation.
        let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
        for c in &chains {
            match grouped.iter_mut().find(|(how, _)| *how == c.how) {
                Some((_, d)) => d.push(&c.does),
                None => grouped.push((&c.how, vec![&c.does])),
            }
        }
        parts.extend(
            grouped
                .iter()
                .map(|(how, d)| format!("can {} {how}", and_list(d))),
        );
    }
    if parts.is_empty() {
        return;
    }
    let path = format!("{}.{}", pod.path, field.unwrap_or("serviceAccountName"));
    out.object(
        &path,
        format!(
            "service account \"{namespace}/{account}\" {}; code running in this workload gets \
             these permissions: bind the account to a Role with only what the workload uses",
            parts.join("; ")
        ),
    );
}
