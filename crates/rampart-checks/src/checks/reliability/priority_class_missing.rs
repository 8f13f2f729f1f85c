use rampart_model::{Node, Object, PodSpec};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "priority-class-missing",
        title: "Pod has no priority class",
        severity: Severity::Low,
        category: Category::Reliability,
        enabled_by_default: false,
        finds: "Pod specs (of every workload kind) without `priorityClassName` (unset, null or \
                empty). Nothing is reported when the scan contains a PriorityClass \
                (`scheduling.k8s.io`) with `globalDefault: true`, which the cluster gives to \
                pods that name none.",
        why: "Priority decides which pods the scheduler preempts to make room and, together \
              with resource usage, which pods the kubelet evicts first when a node runs short \
              of memory or disk. Without a priority class every pod has priority 0, so a \
              burst of batch jobs or a misbehaving tenant competes on equal terms with the \
              services that matter most, and the scheduler cannot preempt the former for the \
              latter.",
        remediation: "Define a few PriorityClasses (for example critical, default and batch) \
                      and give every workload a `priorityClassName`, or make one of them the \
                      `globalDefault`. Restrict the highest classes with a ResourceQuota \
                      scoped to them, so that not every namespace can claim them.",
        example: "spec:\n  priorityClassName: business-critical\n",
        references: &[
            "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/",
            "https://kubernetes.io/docs/concepts/policy/resource-quotas/#limit-priority-class-consumption-by-default",
        ],
        equivalents: &["polaris:priorityClassNotSet"],
        controls: &[
            "nist-800-53-r5:SC-6",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn global_default_class(ctx: &Ctx<'_>) -> bool {
    ctx.inventory.of_kind("PriorityClass").iter().any(|&i| {
        let o = &ctx.objects[i];
        o.group() == "scheduling.k8s.io" && o.root.get("globalDefault").and_then(Node::as_bool) == Some(true)
    })
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if pod
        .node
        .get("priorityClassName")
        .and_then(Node::scalar_text)
        .is_some_and(|n| !n.trim().is_empty())
        || global_default_class(ctx)
    {
        return;
    }
    out.object(
        &format!("{}.priorityClassName", pod.path),
        "pod sets no priorityClassName, so it runs with priority 0; assign a PriorityClass",
    );
}
