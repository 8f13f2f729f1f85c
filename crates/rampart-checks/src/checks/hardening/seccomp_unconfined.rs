use rampart_model::{Container, Node, Object, PodSpec, Pos};

use crate::util::{is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "seccomp-unconfined",
        title: "Container runs without a seccomp profile",
        severity: Severity::Medium,
        category: Category::Hardening,
        finds: "Init, regular and ephemeral containers whose effective seccomp profile is \
                `Unconfined` or is not set at all. The profile is resolved as the kubelet does: \
                the container's `securityContext.seccompProfile`, else the deprecated annotation \
                `container.seccomp.security.alpha.kubernetes.io/<container>`, else the pod's \
                `securityContext.seccompProfile`, else the deprecated annotation \
                `seccomp.security.alpha.kubernetes.io/pod`. `RuntimeDefault` and `Localhost` (or \
                the annotation values `runtime/default`, `docker/default` and `localhost/...`) \
                are confined; `Unconfined` (annotation `unconfined`) is not. The message tells an \
                explicit `Unconfined` from a missing profile. Windows pods (`spec.os.name: \
                windows`) are skipped.",
        why: "Seccomp filters the system calls a container may make. Without it every system call \
              of the node's kernel is reachable from the container, including rarely used ones \
              (keyctl, unshare, userfaultfd, bpf) behind many kernel privilege \
              escalation and container escape vulnerabilities. The container runtime's default \
              profile blocks them at no cost for ordinary applications, but Kubernetes only \
              applies it when asked to (or when the kubelet runs with --seccomp-default).",
        remediation: "Set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext \
                      (it applies to all containers), or a `Localhost` profile written for the \
                      application. Remove `Unconfined` overrides; if a container truly needs a \
                      blocked system call, allow it in a Localhost profile rather than disabling \
                      filtering.",
        example: "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n",
        references: &[
            "https://kubernetes.io/docs/tutorials/security/seccomp/",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.6.2",
            "mitre-attack-containers:T1611",
            "mitre-attack-containers:T1068",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.security-services",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:seccompProfile_restricted",
        ],
        equivalents: &["trivy:KSV030", "trivy:KSV104", "checkov:CKV_K8S_31"],
        ..CheckMeta::DEFAULT
    },
    run,
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Whether a profile confines the container; None when it says nothing usable.
fn field_confines(profile: &Node) -> Option<bool> {
    match profile.get("type")?.scalar_text()? {
        "RuntimeDefault" | "Localhost" => Some(true),
        "Unconfined" => Some(false),
        _ => None,
    }
}

fn annotation_confines(value: &Node) -> Option<bool> {
    match value.scalar_text()? {
        "runtime/default" | "docker/default" => Some(true),
        v if v.starts_with("localhost/") => Some(true),
        "unconfined" => Some(false),
        _ => None,
    }
}

/// The effective profile of a container: whether it confines it, where it is set, and how to
/// name it in a message. None when no profile is set.
fn effective_profile(c: &Container<'_>) -> Option<(bool, Pos, String)> {
    fn field(spec: &Node) -> Option<&Node> {
        spec.at("securityContext.seccompProfile").filter(|n| !n.is_null())
    }
    let annotation = |key: &str| {
        let (k, v) = c.pod.metadata?.get("annotations")?.get_entry(key)?;
        Some((annotation_confines(v)?, k.pos))
    };
    if let Some(confined) = field(c.node).and_then(field_confines) {
        let pos = c.node.locate("securityContext.seccompProfile.type");
        return Some((confined, pos, "seccompProfile.type: Unconfined".into()));
    }
    let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
    if let Some((confined, pos)) = annotation(&key) {
        return Some((confined, pos, format!("annotation {key}: unconfined")));
    }
    if let Some(confined) = field(c.pod.node).and_then(field_confines) {
        let pos = c.pod.node.locate("securityContext.seccompProfile.type");
        return Some((
            confined,
            pos,
            "seccompProfile.type: Unconfined in the pod securityContext".into(),
        ));
    }
    if let Some((confined, pos)) = annotation(POD_ANNOTATION) {
        return Some((confined, pos, format!("annotation {POD_ANNOTATION}: unconfined")));
    }
    None
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if is_windows(&pod) {
        return;
    }
    let rel = "securityContext.seccompProfile.type";
    for c in pod.containers() {
        match effective_profile(&c) {
            Some((true, _, _)) => {}
            Some((false, pos, source)) => {
                out.container_at(
                    &c,
                    pos,
                    rel,
                    format!("{} runs with seccomp unconfined ({source})", label(&c)),
                );
            }
            None => out.container(
                &c,
                rel,
                format!(
                    "{} has no seccomp profile: seccompProfile is not set on the container or the pod",
                    label(&c)
                ),
            ),
        }
    }
}
