use rampart_model::{Object, PodSpec};

use crate::util::{is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "writable-root-filesystem",
        title: "Container's root filesystem is writable",
        severity: Severity::Low,
        category: Category::Hardening,
        finds: "Init, regular and ephemeral containers without \
                `securityContext.readOnlyRootFilesystem: true` (the field is missing, `false`, or \
                not a boolean). Windows pods (`spec.os.name: windows`) are skipped: the field is \
                not supported there.",
        why: "With a writable root filesystem an attacker who gets code execution can download \
              tools, replace the application's binaries, scripts or configuration to persist \
              until the pod is recreated, and plant files that other processes in the container \
              will execute. A read-only filesystem also stops the container from silently \
              filling the node's disk through its writable layer.",
        remediation: "Set `readOnlyRootFilesystem: true` and mount an `emptyDir` volume at each \
                      path the application must write to (/tmp, caches, PID files).",
        example: "securityContext:\n  readOnlyRootFilesystem: true\nvolumeMounts:\n  - name: tmp\n    mountPath: /tmp\n# and in the pod spec:\n# volumes:\n#   - name: tmp\n#     emptyDir: {}\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
            "https://kubernetes.io/docs/concepts/storage/volumes/#emptydir",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.6.3",
            "nist-800-190:4.4.4",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.immutable-filesystem",
            "pci-dss-4.0:2.2.6",
            "soc2:CC6.8",
        ],
        equivalents: &[
            "trivy:KSV014",
            "checkov:CKV_K8S_22",
            "kube-linter:no-read-only-root-fs",
            "polaris:notReadOnlyRootFilesystem",
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
        let field = "securityContext.readOnlyRootFilesystem";
        let v = c.node.at(field).filter(|n| !n.is_null());
        if v.and_then(|n| n.as_bool()) == Some(true) {
            continue;
        }
        let msg = match v.and_then(|n| n.scalar_text()) {
            Some(text) => format!(
                "{} has a writable root filesystem (readOnlyRootFilesystem: {text})",
                label(&c)
            ),
            None => format!(
                "{} has a writable root filesystem: readOnlyRootFilesystem is not set",
                label(&c)
            ),
        };
        out.container(&c, field, msg);
    }
}
