use rampart_model::Object;

use super::replicas_too_few::has_controller;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

/// Annotations of tools that delete the Jobs they create themselves.
const MANAGED_BY_ANNOTATIONS: &[&str] = &["helm.sh/hook", "argocd.argoproj.io/hook-delete-policy"];

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "job-ttl-missing",
        title: "Job is never cleaned up after it finishes",
        severity: Severity::Low,
        category: Category::Reliability,
        target: Target::Kinds(&["Job"]),
        finds: "Standalone Jobs (`batch`) without `spec.ttlSecondsAfterFinished`. Jobs \
                controlled by another object (an `ownerReferences` entry with \
                `controller: true`, such as the Jobs a CronJob creates, which its history \
                limits clean up) are not reported, nor are Helm hooks (`helm.sh/hook`, which \
                Helm deletes) and Argo CD hooks with an `argocd.argoproj.io/hook-delete-policy`. \
                CronJob job templates are not checked.",
        why: "A finished Job and its pods stay in the cluster until someone deletes them: they \
              pile up in etcd and in every `kubectl get`, keep the pods' logs and references \
              to Secrets around, and, because a Job's pod template is immutable, make the \
              next `kubectl apply` of a changed Job with the same name fail until the old one \
              is deleted by hand.",
        remediation: "Set `ttlSecondsAfterFinished` so the TTL controller deletes the Job (and \
                      its pods) that long after it completes or fails; keep it long enough to \
                      read the logs or let your log shipping collect them.",
        example: "apiVersion: batch/v1\nkind: Job\nspec:\n  ttlSecondsAfterFinished: 86400\n",
        references: &[
            "https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/",
            "https://kubernetes.io/docs/concepts/workloads/controllers/job/#clean-up-finished-jobs-automatically",
        ],
        equivalents: &["kube-linter:job-ttl-seconds-after-finished"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.group() != "batch" || has_controller(obj) {
        return;
    }
    let annotations = obj.metadata().and_then(|m| m.get("annotations"));
    if MANAGED_BY_ANNOTATIONS
        .iter()
        .any(|a| annotations.and_then(|n| n.get(a)).is_some_and(|v| !v.is_null()))
    {
        return;
    }
    if obj
        .root
        .at("spec.ttlSecondsAfterFinished")
        .is_some_and(|n| !n.is_null())
    {
        return;
    }
    out.object(
        "spec.ttlSecondsAfterFinished",
        "Job sets no ttlSecondsAfterFinished, so it and its pods stay in the cluster after it finishes; set a TTL",
    );
}
