use rampart_model::{Node, Object, PodSpec};

use crate::inventory::namespace_of;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "service-account-token-automount",
        title: "Pod mounts its service account token automatically",
        severity: Severity::Low,
        category: Category::Secrets,
        finds: "Pod specs (of every workload kind) where `automountServiceAccountToken` is \
                `true` or unset. An unset field defers to the ServiceAccount, so it is not \
                reported when the scan contains the pod's ServiceAccount (`serviceAccountName`, \
                or `default`, in the same namespace) with `automountServiceAccountToken: false`.",
        why: "By default every container gets a token for the pod's service account at \
              `/var/run/secrets/kubernetes.io/serviceaccount`. Most applications never call \
              the Kubernetes API, but an attacker who gets code execution or a file read in \
              the container can use the token to query the API server with the service \
              account's permissions, which are often broader than intended (a shared \
              `default` account, bindings added later), to discover the cluster and move \
              laterally.",
        remediation: "Set `automountServiceAccountToken: false` in the pod spec (or on the \
                      ServiceAccount) unless the workload calls the Kubernetes API. Workloads \
                      that do should use a dedicated ServiceAccount with a minimal Role.",
        example: "spec:\n  serviceAccountName: web\n  automountServiceAccountToken: false\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
            "https://kubernetes.io/docs/concepts/security/service-accounts/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.6",
            "mitre-attack-containers:T1550.001",
            "mitre-attack-containers:T1528",
            "mitre-attack-containers:T1613",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:pod-security.service-account-tokens",
            "pci-dss-4.0:2.2.4",
            "pci-dss-4.0:7.2.5",
            "soc2:CC6.1",
        ],
        equivalents: &[
            "trivy:KSV036",
            "checkov:CKV_K8S_38",
            "polaris:automountServiceAccountToken",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// Whether the scan holds the pod's ServiceAccount and it opts out of automounting.
fn account_opts_out(ctx: &Ctx<'_>, obj: &Object, pod: &PodSpec<'_>) -> bool {
    let account = ["serviceAccountName", "serviceAccount"]
        .iter()
        .find_map(|k| non_empty(pod.node.get(k).and_then(Node::scalar_text)))
        .unwrap_or("default");
    ctx.inventory
        .find("ServiceAccount", namespace_of(obj), account)
        .map(|i| &ctx.objects[i])
        .is_some_and(|o| {
            o.group().is_empty()
                && o.root.get("automountServiceAccountToken").and_then(Node::as_bool) == Some(false)
        })
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let path = format!("{}.automountServiceAccountToken", pod.path);
    match pod.node.get("automountServiceAccountToken").and_then(Node::as_bool) {
        Some(false) => {}
        Some(true) => out.object(
            &path,
            "pod sets automountServiceAccountToken: true; set it to false unless the workload calls the Kubernetes API",
        ),
        None if account_opts_out(ctx, obj, &pod) => {}
        None => out.object(
            &path,
            "pod does not set automountServiceAccountToken, so the service account token is mounted; set it to false unless the workload calls the Kubernetes API",
        ),
    }
}
