use rampart_model::{Node, Object, PodSpec};

use crate::inventory::namespace_of;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "default-service-account",
        title: "Pod uses the namespace's default ServiceAccount with a token",
        severity: Severity::Low,
        category: Category::Rbac,
        enabled_by_default: false,
        finds: "Pod specs (of every workload kind) that run as the `default` ServiceAccount \
                (`serviceAccountName`, or the deprecated `serviceAccount`, unset, empty or \
                `default`) and get a token for it: `automountServiceAccountToken` is `true`, \
                or it is unset and the scan does not contain a `default` ServiceAccount of \
                the same namespace with `automountServiceAccountToken: false`, or a \
                `projected` volume requests a `serviceAccountToken`. Pods that use the default \
                ServiceAccount without any token have no API credential and are not reported.",
        why: "Every pod of a namespace that does not name a ServiceAccount shares the \
              `default` one, so any permission granted to it (a RoleBinding added for one \
              application, a cloud IAM role annotated on it) is granted to all of them, and \
              an attacker in any of those pods holds it. Shared identities also make audit \
              logs unable to tell the workloads apart and RBAC impossible to scope to one \
              application.",
        remediation: "Give each workload that calls the Kubernetes API its own ServiceAccount \
                      with a minimal Role, and set `automountServiceAccountToken: false` on the \
                      pod (or on the `default` ServiceAccount) for workloads that do not.",
        example: "spec:\n  serviceAccountName: web\n  automountServiceAccountToken: false\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/service-accounts/",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.5",
            "mitre-attack-containers:T1078",
            "mitre-attack-containers:T1528",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:auth.unique-roles",
            "pci-dss-4.0:7.2.5",
            "soc2:CC6.3",
        ],
        equivalents: &["kube-linter:default-service-account"],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// The field naming the pod's ServiceAccount, if any, and the account's name.
fn account<'a>(pod: &PodSpec<'a>) -> (Option<&'static str>, &'a str) {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = pod
            .node
            .get(field)
            .and_then(Node::scalar_text)
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            return (Some(field), name);
        }
    }
    (None, "default")
}

/// Whether a projected volume of the pod requests a ServiceAccount token.
fn projects_token(pod: &PodSpec<'_>) -> bool {
    pod.node
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .filter_map(|v| v.at("projected.sources"))
        .flat_map(Node::items)
        .any(|s| s.get("serviceAccountToken").is_some_and(|t| !t.is_null()))
}

/// Whether the scan holds the namespace's `default` ServiceAccount and it opts out of
/// automounting.
fn default_account_opts_out(ctx: &Ctx<'_>, obj: &Object) -> bool {
    ctx.inventory
        .find("ServiceAccount", namespace_of(obj), "default")
        .map(|i| &ctx.objects[i])
        .is_some_and(|sa| {
            sa.group().is_empty()
                && sa
                    .root
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool)
                    == Some(false)
        })
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let (field, name) = account(&pod);
    if name != "default" {
        return;
    }
    let token = match pod
        .node
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
    {
        Some(true) => true,
        Some(false) => projects_token(&pod),
        None => !default_account_opts_out(ctx, obj) || projects_token(&pod),
    };
    if !token {
        return;
    }
    let path = format!("{}.{}", pod.path, field.unwrap_or("serviceAccountName"));
    let how = if field.is_some() {
        "names the default ServiceAccount"
    } else {
        "sets no serviceAccountName, so it runs as the default ServiceAccount"
    };
    out.object(
        &path,
        format!(
            "pod {how} and gets a token for it; use a dedicated ServiceAccount, or set automountServiceAccountToken: false if the pod does not call the Kubernetes API"
        ),
    );
}
