use rampart_model::{Node, Object, PodSpec};

use crate::util::{capabilities_indexed, is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "privilege-escalation-allowed",
        title: "Container allows privilege escalation",
        severity: Severity::Medium,
        category: Category::Privileges,
        finds: "Init, regular and ephemeral containers whose \
                `securityContext.allowPrivilegeEscalation` is not `false`, including when it is \
                not set (Kubernetes then allows escalation). Containers with \
                `allowPrivilegeEscalation: false` are still reported when they are privileged or \
                add `SYS_ADMIN` (or `ALL`) capabilities, which allow escalation whatever the field \
                says. Windows pods (`spec.os.name: windows`) are skipped: the field does not \
                exist there.",
        why: "Unless escalation is disabled, the container's processes do not get the kernel's \
              no_new_privs flag, so a process that started unprivileged can gain privileges by \
              executing a setuid or setgid binary (su, sudo, a planted setuid shell) or a file \
              with file capabilities. An attacker with code execution as a non-root user in the \
              container can then become root inside it, one step closer to the node.",
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, \
                      and do not combine it with `privileged: true` or added `SYS_ADMIN` (the API \
                      server rejects those combinations, and they grant escalation anyway).",
        example: "securityContext:\n  allowPrivilegeEscalation: false\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.6",
            "cis-kubernetes-1.12:5.6.3",
            "mitre-attack-containers:T1068",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6(10)",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.privilege-escalation",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:allowPrivilegeEscalation",
        ],
        equivalents: &[
            "trivy:KSV001",
            "checkov:CKV_K8S_20",
            "kube-linter:privilege-escalation-container",
            "polaris:privilegeEscalationAllowed",
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
        let field = "securityContext.allowPrivilegeEscalation";
        match c.node.at(field).filter(|n| !n.is_null()) {
            None => out.container(
                c,
                field,
                format!("{} allows privilege escalation: allowPrivilegeEscalation is not set and defaults to true", label(c)),
            ),
            Some(v) if v.as_bool() == Some(false) => {
                if c.node.at("securityContext.privileged").and_then(Node::as_bool) == Some(true) {
                    out.container(
                        c,
                        "securityContext.privileged",
                        format!("{} runs privileged, which allows privilege escalation despite allowPrivilegeEscalation: false", label(c)),
                    );
                } else if let Some((i, cap, n)) =
                    capabilities_indexed(c, "add").into_iter().find(|(_, cap, _)| cap == "SYS_ADMIN" || cap == "ALL")
                {
                    out.container_at(
                        c,
                        n.pos,
                        &format!("securityContext.capabilities.add[{i}]"),
                        format!("{} adds {cap}, which allows privilege escalation despite allowPrivilegeEscalation: false", label(c)),
                    );
                }
            }
            Some(v) => out.container(
                c,
                field,
                format!(
                    "{} allows privilege escalation (allowPrivilegeEscalation: {})",
                    label(c),
                    v.scalar_text().unwrap_or("not a boolean")
                ),
            ),
        }
    }
}
