use rampart_model::{Node, Object, PodSpec};

use crate::inventory::namespace_of;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "missing-service-account",
        title: "Workload names a ServiceAccount the scan does not contain",
        severity: Severity::Low,
        category: Category::Reliability,
        enabled_by_default: false,
        target: Target::Workloads,
        finds: "Workloads whose `serviceAccountName` (or deprecated `serviceAccount`) names \
                an account other than `default` that is not among the scanned objects of the \
                workload's namespace, when the scan shows that namespace's accounts are part \
                of the input: it holds the Namespace object itself or another ServiceAccount \
                of that namespace. `default` is never reported: Kubernetes creates it in \
                every namespace. Off by default: accounts are often created outside the \
                manifests being scanned (by Terraform or eksctl for cloud IAM federation, \
                by operators, by another Helm release), and the failure shows at deploy \
                time anyway; turn it on for repositories that keep each namespace's \
                manifests together.",
        why: "The API server rejects a pod whose service account does not exist, so a \
              controller's pods are never created and the rollout stalls with only an event \
              to show why. A misspelled name can also be silently \"fixed\" later by \
              someone creating an account of that name with whatever permissions they \
              choose.",
        remediation: "Add the ServiceAccount to the manifests (next to the workload, with its \
                      RBAC), or correct `serviceAccountName`.",
        example: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: orders-api\n  namespace: shop\nautomountServiceAccountToken: false\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
            "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount",
        ],
        equivalents: &["kube-linter:non-existent-service-account", "kubescape:C-0307"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let Some((field, account)) = ["serviceAccountName", "serviceAccount"].iter().find_map(|f| {
        let name = pod
            .node
            .get(f)
            .and_then(Node::scalar_text)
            .filter(|s| !s.is_empty())?;
        Some((*f, name))
    }) else {
        return;
    };
    if account == "default" {
        return;
    }
    let namespace = namespace_of(obj);
    let core = |i: &usize| ctx.objects[*i].group().is_empty();
    if ctx
        .inventory
        .find("ServiceAccount", namespace, account)
        .filter(core)
        .is_some()
    {
        return;
    }
    let evidence = if ctx
        .inventory
        .find("Namespace", "default", namespace)
        .filter(core)
        .is_some()
    {
        format!("the Namespace \"{namespace}\"")
    } else if let Some(&i) = ctx
        .inventory
        .in_namespace("ServiceAccount", namespace)
        .iter()
        .find(|&&i| core(&i))
    {
        format!("ServiceAccount \"{namespace}/{}\"", ctx.objects[i].name)
    } else {
        return;
    };
    out.object(
        &format!("{}.{field}", pod.path),
        format!(
            "service account \"{namespace}/{account}\" is not among the scanned objects, although \
             the scan holds {evidence}; pods are rejected until it exists: add the ServiceAccount \
             or correct {field}"
        ),
    );
}
