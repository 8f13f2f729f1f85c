use rampart_model::{ContainerKind, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "liveness-probe-missing",
        title: "Container has no liveness probe",
        severity: Severity::Low,
        category: Category::Reliability,
        finds: "Regular containers (not init or ephemeral containers) without a \
                `livenessProbe`, in every workload kind except Jobs and CronJobs, whose \
                containers are meant to run to completion.",
        why: "The kubelet restarts a container only when its process exits. A process that \
              hangs (deadlock, exhausted thread pool, stuck connection) keeps running and \
              keeps its pod in place, serving nothing, until someone notices and deletes it; \
              a liveness probe turns that hang into an automatic restart.",
        remediation: "Add a `livenessProbe` that checks the process can still make progress \
                      (a cheap HTTP or gRPC health endpoint that does not depend on \
                      downstream services), with a `failureThreshold` and `periodSeconds` \
                      generous enough not to restart a container that is merely busy. Use a \
                      `startupProbe` for slow starters instead of a long `initialDelaySeconds`.",
        example: "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n  periodSeconds: 10\n  failureThreshold: 3\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes",
        ],
        equivalents: &[
            "checkov:CKV_K8S_8",
            "kube-linter:no-liveness-probe",
            "polaris:livenessProbeMissing",
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
        if c.node
            .get("livenessProbe")
            .is_none_or(rampart_model::Node::is_null)
        {
            out.container(c, "livenessProbe", format!("{} has no liveness probe", label(c)));
        }
    });
}
