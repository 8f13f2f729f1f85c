use rampart_model::{Object, PodSpec};

use crate::util::{Origin, effective, effective_pos, is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "run-as-root",
        title: "Container may run as root",
        severity: Severity::Medium,
        category: Category::Privileges,
        finds: "Init, regular and ephemeral containers whose effective `runAsUser` (the \
                container's `securityContext`, else the pod's) is 0; and containers whose \
                effective `runAsUser` is not set while their effective `runAsNonRoot` is not \
                `true`, so the image's user (often root) decides. `runAsNonRoot: true` together \
                with `runAsUser: 0` is reported too: it is a contradiction the kubelet refuses to \
                start. Windows pods (`spec.os.name: windows`) are skipped.",
        why: "Root in a container is root on the node's kernel, restrained only by namespaces, \
              dropped capabilities and the seccomp and LSM profiles. Any container escape \
              (a kernel or runtime vulnerability, a writable hostPath, a mounted socket, a \
              misconfigured capability) then lands as root on the node, and files written to \
              shared volumes are owned by root. Running as an unprivileged UID makes most of \
              these escapes fail or land without privileges.",
        remediation: "Set `runAsNonRoot: true` in the pod's securityContext so the kubelet refuses \
                      to start any container that would run as UID 0, and give the containers a \
                      non-zero `runAsUser` (or build the image with a numeric non-root `USER`).",
        example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.7",
            "cis-kubernetes-1.12:5.6.3",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:pod-security.non-root",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:runAsNonRoot",
        ],
        equivalents: &[
            "trivy:KSV012",
            "trivy:KSV105",
            "checkov:CKV_K8S_23",
            "kube-linter:run-as-non-root",
            "polaris:runAsRootAllowed",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn where_set(origin: Origin) -> &'static str {
    match origin {
        Origin::Container => "",
        Origin::Pod => " in the pod securityContext",
    }
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if is_windows(&pod) {
        return;
    }
    for c in pod.containers() {
        let c = &c;
        let user = effective(c, "runAsUser").and_then(|(n, origin)| Some((n.as_i64()?, origin)));
        let non_root = effective(c, "runAsNonRoot");
        let non_root_true = non_root.is_some_and(|(n, _)| n.as_bool() == Some(true));
        match user {
            Some((0, origin)) => {
                let msg = if non_root_true {
                    format!(
                        "{} sets runAsNonRoot: true but runAsUser: 0{}; the kubelet will refuse to start it",
                        label(c),
                        where_set(origin)
                    )
                } else {
                    format!("{} runs as root (runAsUser: 0{})", label(c), where_set(origin))
                };
                out.container_at(
                    c,
                    effective_pos(c, "runAsUser", origin),
                    "securityContext.runAsUser",
                    msg,
                );
            }
            Some(_) => {}
            None if non_root_true => {}
            None => {
                let pos = match non_root {
                    Some((_, origin)) => effective_pos(c, "runAsNonRoot", origin),
                    None => c.node.locate("securityContext.runAsNonRoot"),
                };
                out.container_at(
                    c,
                    pos,
                    "securityContext.runAsNonRoot",
                    format!(
                        "{} may run as root: set runAsNonRoot: true or a non-zero runAsUser",
                        label(c)
                    ),
                );
            }
        }
    }
}
