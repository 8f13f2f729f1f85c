use rampart_model::{Object, PodSpec};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "host-pid",
        title: "Pod shares the node's process ID namespace",
        severity: Severity::High,
        category: Category::HostAccess,
        finds: "Pod specs with `hostPID: true`.",
        why: "In the host's PID namespace the containers see every process on the node, including \
              other pods' processes and the kubelet. They can read process command lines and \
              environments (where credentials often sit), send signals to kill processes, and, \
              running as root or with CAP_SYS_PTRACE, attach to host processes or enter their \
              namespaces through /proc/<pid>/root, which is a path to the node's filesystem.",
        remediation: "Remove `hostPID: true`. To share processes between the containers of one pod \
                      (a debugging sidecar, for example), use `shareProcessNamespace: true`, which \
                      shares a namespace private to the pod. Node agents that truly need the host's \
                      processes belong under a documented exception.",
        example: "spec:\n  hostPID: false\n  shareProcessNamespace: true  # only if the pod's containers must see each other\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.3",
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
            "trivy:KSV010",
            "checkov:CKV_K8S_17",
            "kube-linter:host-pid",
            "polaris:hostPIDSet",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if pod.node.get("hostPID").and_then(|n| n.as_bool()) == Some(true) {
        out.object(
            &format!("{}.hostPID", pod.path),
            "pod uses the host's PID namespace (hostPID: true)",
        );
    }
}
