use rampart_model::{Object, PodSpec};

use crate::util::{capabilities, capabilities_indexed, is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "net-raw-not-dropped",
        title: "Container keeps the NET_RAW capability",
        severity: Severity::Medium,
        category: Category::Privileges,
        finds: "Init, regular and ephemeral containers that do not list `NET_RAW` or `ALL` in \
                `securityContext.capabilities.drop`, and containers that list `NET_RAW` in \
                `capabilities.add` (or add `ALL` without dropping `NET_RAW` by name), which puts it \
                back. Names are compared case-insensitively, with or without the `CAP_` prefix. \
                Windows pods (`spec.os.name: windows`) are skipped.",
        why: "NET_RAW is in the default capability set of Docker and containerd. It lets a process \
              open raw and packet sockets: forge packets with any source address, answer ARP and \
              IPv6 neighbour or router discovery to redirect other pods' traffic on the same node \
              network, and sniff traffic reaching the pod. It has also been the entry point of \
              several kernel privilege escalation vulnerabilities. Few applications need it; \
              ping can use unprivileged ICMP sockets where the node allows them.",
        remediation: "Drop it, preferably with all other capabilities: \
                      `capabilities: {drop: [\"ALL\"]}`, and remove `NET_RAW` (and `ALL`) from \
                      `capabilities.add`.",
        example: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.8",
            "mitre-attack-containers:T1068",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.4",
            "pss-restricted:capabilities_restricted",
        ],
        equivalents: &[
            "trivy:KSV119",
            "checkov:CKV_K8S_28",
            "kube-linter:drop-net-raw-capability",
        ],
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
        let c = &c;
        let drop = capabilities(c, "drop");
        let drops = |name: &str| drop.iter().any(|(cap, _)| cap == name);
        let add = capabilities_indexed(c, "add");
        let added = add.iter().find(|(_, cap, _)| cap == "NET_RAW").or_else(|| {
            add.iter()
                .find(|(_, cap, _)| cap == "ALL")
                .filter(|_| !drops("NET_RAW"))
        });
        if let Some((i, cap, n)) = added {
            let msg = if cap == "ALL" {
                format!("{} adds ALL capabilities, NET_RAW included", label(c))
            } else {
                format!("{} adds the NET_RAW capability", label(c))
            };
            out.container_at(c, n.pos, &format!("securityContext.capabilities.add[{i}]"), msg);
        } else if !drops("NET_RAW") && !drops("ALL") {
            out.container(
                c,
                "securityContext.capabilities.drop",
                format!("{} does not drop the NET_RAW capability", label(c)),
            );
        }
    }
}
