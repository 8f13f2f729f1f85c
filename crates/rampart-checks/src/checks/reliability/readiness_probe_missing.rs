use rampart_model::{ContainerKind, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "readiness-probe-missing",
        title: "Container that declares ports has no readiness probe",
        severity: Severity::Low,
        category: Category::Reliability,
        finds: "Regular containers (not init or ephemeral containers) that declare at least \
                one entry in `ports` but have no `readinessProbe`, in every workload kind \
                except Jobs and CronJobs. Containers without `ports` are assumed to serve no \
                traffic and are not reported.",
        why: "Without a readiness probe a pod is added to its Services' endpoints as soon as \
              its containers start, before the application listens or has warmed up, and \
              stays there while it is overloaded or has lost a dependency: clients get \
              connection errors during every rollout and scale-up, and rolling updates \
              proceed even when the new version never becomes able to serve.",
        remediation: "Add a `readinessProbe` that succeeds only when the container can serve \
                      requests (an HTTP, gRPC or TCP check on the serving port).",
        example: "ports:\n  - containerPort: 8080\nreadinessProbe:\n  httpGet:\n    path: /ready\n    port: 8080\n  periodSeconds: 5\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes",
        ],
        equivalents: &[
            "checkov:CKV_K8S_9",
            "kube-linter:no-readiness-probe",
            "polaris:readinessProbeMissing",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.group() == "batch" && matches!(obj.kind.as_str(), "Job" | "CronJob") {
        return;
    }
    for_each_container(obj, |c| {
        if c.kind != ContainerKind::Regular {
            return;
        }
        let serves = c.node.get("ports").is_some_and(|p| p.items().next().is_some());
        if serves
            && c.node
                .get("readinessProbe")
                .is_none_or(rampart_model::Node::is_null)
        {
            out.container(
                c,
                "readinessProbe",
                format!("{} declares ports but has no readiness probe", label(c)),
            );
        }
    });
}
