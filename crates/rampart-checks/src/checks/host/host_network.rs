use rampart_model::{Object, PodSpec};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "host-network",
        title: "Pod shares the node's network namespace",
        severity: Severity::High,
        category: Category::HostAccess,
        finds: "Pod specs with `hostNetwork: true`.",
        why: "With the host's network namespace a pod can bind to any node port, sniff traffic \
              of other pods on the node, reach services listening on localhost (such as the \
              kubelet's or a cloud metadata endpoint) and bypass NetworkPolicies.",
        remediation: "Remove `hostNetwork: true` and expose the workload with a Service. Node \
                      networking components (CNI, ingress on host ports) that truly need it \
                      belong under a documented exception.",
        example: "spec:\n  hostNetwork: false\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        controls: &[
            "cis-kubernetes-1.12:5.2.5",
            "mitre-attack-containers:T1046",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:SC-7",
            "nist-800-53-r5:SC-39",
            "nsa-cisa-1.2:pod-security.host-network",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:hostNamespaces",
            "soc2:CC6.6",
        ],
        equivalents: &[
            "trivy:KSV009",
            "checkov:CKV_K8S_19",
            "kube-linter:host-network",
            "polaris:hostNetworkSet",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if pod.node.get("hostNetwork").and_then(|n| n.as_bool()) == Some(true) {
        out.object(
            &format!("{}.hostNetwork", pod.path),
            "pod uses the host's network namespace (hostNetwork: true)",
        );
    }
}
