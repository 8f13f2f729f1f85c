use rampart_model::{Object, PodSpec};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "host-ipc",
        title: "Pod shares the node's IPC namespace",
        severity: Severity::High,
        category: Category::HostAccess,
        finds: "Pod specs with `hostIPC: true`.",
        why: "In the host's IPC namespace the containers can attach to the System V shared memory \
              segments, semaphores and message queues (and the POSIX ones in the host's /dev/shm) \
              of every process on the node, reading or corrupting data other workloads and \
              node services exchange through them.",
        remediation: "Remove `hostIPC: true`. Containers of the same pod already share an IPC \
                      namespace private to the pod; workloads that must talk to a node service \
                      should do so over a socket or the network, or run under a documented exception.",
        example: "spec:\n  hostIPC: false\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        controls: &[
            "cis-kubernetes-1.12:5.2.4",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:SC-4",
            "nist-800-53-r5:SC-39",
            "nsa-cisa-1.2:pod-security.host-namespaces",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:hostNamespaces",
            "soc2:CC6.1",
        ],
        equivalents: &[
            "trivy:KSV008",
            "checkov:CKV_K8S_18",
            "kube-linter:host-ipc",
            "polaris:hostIPCSet",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if pod.node.get("hostIPC").and_then(|n| n.as_bool()) == Some(true) {
        out.object(
            &format!("{}.hostIPC", pod.path),
            "pod uses the host's IPC namespace (hostIPC: true)",
        );
    }
}
