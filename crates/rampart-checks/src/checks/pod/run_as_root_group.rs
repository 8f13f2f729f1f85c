use rampart_model::{Node, Object, PodSpec};

use crate::util::{Origin, effective, effective_pos, is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "run-as-root-group",
        title: "Container runs with the root group (GID 0)",
        severity: Severity::Low,
        category: Category::Privileges,
        finds: "Init, regular and ephemeral containers whose effective `runAsGroup` (the \
                container's `securityContext`, else the pod's) is 0; and pods whose \
                `securityContext.fsGroup` is 0 or whose `securityContext.supplementalGroups` \
                contains 0, which apply to every container. A primary group left to the \
                image is not reported (the manifest does not show it). Windows pods \
                (`spec.os.name: windows`) are skipped.",
        why: "Group 0 is root's group. Files and devices owned by group 0 with group \
              permissions (much of the image's own filesystem, and on the node everything a \
              hostPath or a shared volume exposes) are readable or writable to any process \
              in that group, even with a non-root UID, so the root group undoes part of \
              what running as non-root protects. With `fsGroup: 0` the kubelet also makes \
              mounted volumes owned by group 0.",
        remediation: "Set `runAsGroup` and `fsGroup` to a dedicated non-zero GID in the pod's \
                      securityContext, and remove 0 from `supplementalGroups`.",
        example: "spec:\n  securityContext:\n    runAsUser: 10001\n    runAsGroup: 10001\n    fsGroup: 10001\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
            "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/",
        ],
        controls: &[
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:pod-security.non-root",
        ],
        equivalents: &["trivy:KSV116"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if is_windows(&pod) {
        return;
    }
    for c in pod.containers() {
        let Some((0, origin)) =
            effective(&c, "runAsGroup").and_then(|(n, origin)| Some((n.as_i64()?, origin)))
        else {
            continue;
        };
        let place = match origin {
            Origin::Container => "",
            Origin::Pod => " in the pod securityContext",
        };
        out.container_at(
            &c,
            effective_pos(&c, "runAsGroup", origin),
            "securityContext.runAsGroup",
            format!(
                "{} runs with the root group (runAsGroup: 0{place}); use a non-zero GID",
                label(&c)
            ),
        );
    }
    let Some(sc) = pod.node.get("securityContext") else {
        return;
    };
    if let Some((key, value)) = sc.get_entry("fsGroup")
        && value.as_i64() == Some(0)
    {
        out.object_at(
            key.pos,
            &format!("{}.securityContext.fsGroup", pod.path),
            "pod sets fsGroup: 0, so its volumes are owned by the root group; use a non-zero GID",
        );
    }
    for (i, g) in sc
        .get("supplementalGroups")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
    {
        if g.as_i64() == Some(0) {
            out.object_at(
                g.pos,
                &format!("{}.securityContext.supplementalGroups[{i}]", pod.path),
                "pod adds the root group (0) to supplementalGroups of every container; remove it",
            );
        }
    }
}
