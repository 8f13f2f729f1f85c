use rampart_model::{Object, PodSpec};

use crate::util::{capabilities, is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "capabilities-not-dropped",
        title: "Container does not drop all Linux capabilities",
        severity: Severity::Low,
        category: Category::Privileges,
        finds: "Init, regular and ephemeral containers whose `securityContext.capabilities.drop` \
                does not contain `ALL` (compared case-insensitively, `CAP_ALL` included), \
                including containers with no `capabilities` at all. Windows pods \
                (`spec.os.name: windows`) are skipped: capabilities do not exist there.",
        why: "Container runtimes give every container a default set of capabilities (CHOWN, \
              DAC_OVERRIDE, FOWNER, SETUID, SETGID, NET_BIND_SERVICE, KILL, and with many \
              runtimes NET_RAW and MKNOD) whether the application needs them or not. Root in the \
              container can use them to bypass file permissions, change its identity, craft raw \
              packets or create device nodes; dropping them all shrinks what an attacker can do \
              after compromising the process and what a kernel vulnerability can be reached with.",
        remediation: "Add `capabilities: {drop: [\"ALL\"]}` to each container's securityContext \
                      and add back, in `capabilities.add`, only what the application needs \
                      (usually nothing, sometimes `NET_BIND_SERVICE`).",
        example: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.9",
            "cis-kubernetes-1.12:5.6.3",
            "mitre-attack-containers:T1068",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.4",
            "pss-restricted:capabilities_restricted",
        ],
        equivalents: &[
            "trivy:KSV003",
            "checkov:CKV_K8S_37",
            "polaris:insecureCapabilities",
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
        let drop = capabilities(&c, "drop");
        if drop.iter().any(|(cap, _)| cap == "ALL") {
            continue;
        }
        let msg = if drop.is_empty() {
            format!("{} does not drop ALL capabilities", label(&c))
        } else {
            let names: Vec<&str> = drop.iter().map(|(cap, _)| cap.as_str()).collect();
            format!(
                "{} does not drop ALL capabilities (drops only {})",
                label(&c),
                names.join(", ")
            )
        };
        out.container(&c, "securityContext.capabilities.drop", msg);
    }
}
