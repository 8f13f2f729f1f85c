use rampart_model::{Container, Node, Object, Pos};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "apparmor-unconfined",
        title: "Container runs with AppArmor explicitly disabled",
        severity: Severity::Medium,
        category: Category::Hardening,
        finds: "Init, regular and ephemeral containers whose effective AppArmor profile is \
                explicitly unconfined. The profile is resolved as the kubelet does: the \
                container's `securityContext.appArmorProfile`, else the annotation \
                `container.apparmor.security.beta.kubernetes.io/<container>`, else the pod's \
                `securityContext.appArmorProfile`; it is unconfined when the `type` is \
                `Unconfined` or the annotation value is `unconfined`. A profile that is not set is \
                not reported: on nodes with AppArmor the runtime applies its default profile.",
        why: "AppArmor is the last line of defence on Ubuntu and Debian based nodes: the runtime's \
              default profile denies writes to /proc and /sys control files, mounting \
              filesystems and access to other sensitive kernel interfaces, which blocks \
              several known container escapes even when a container holds dangerous \
              capabilities. Disabling it for a container removes that layer.",
        remediation: "Remove the `Unconfined` profile (or the `unconfined` annotation) so the \
                      runtime default applies, or set `appArmorProfile: {type: RuntimeDefault}` \
                      explicitly. If the default profile blocks something the application needs, \
                      load a Localhost profile that allows just that.",
        example: "securityContext:\n  appArmorProfile:\n    type: RuntimeDefault\n",
        references: &[
            "https://kubernetes.io/docs/tutorials/security/apparmor/",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        ],
        controls: &[
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.security-services",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:appArmorProfile",
        ],
        equivalents: &["trivy:KSV002"],
        ..CheckMeta::DEFAULT
    },
    run,
};

const CONTAINER_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn field_confines(profile: &Node) -> Option<bool> {
    match profile.get("type")?.scalar_text()? {
        "RuntimeDefault" | "Localhost" => Some(true),
        "Unconfined" => Some(false),
        _ => None,
    }
}

fn annotation_confines(value: &Node) -> Option<bool> {
    match value.scalar_text()? {
        "runtime/default" => Some(true),
        v if v.starts_with("localhost/") => Some(true),
        "unconfined" => Some(false),
        _ => None,
    }
}

/// The effective AppArmor profile of a container: whether it confines it, where it is set,
/// and how to name it in a message. None when no profile is set.
fn effective_profile(c: &Container<'_>) -> Option<(bool, Pos, String)> {
    fn field(spec: &Node) -> Option<&Node> {
        spec.at("securityContext.appArmorProfile")
            .filter(|n| !n.is_null())
    }
    if let Some(confined) = field(c.node).and_then(field_confines) {
        return Some((
            confined,
            c.node.locate("securityContext.appArmorProfile.type"),
            "appArmorProfile.type: Unconfined".into(),
        ));
    }
    let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
    let annotation = c
        .pod
        .metadata
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get_entry(&key))
        .and_then(|(k, v)| Some((annotation_confines(v)?, k.pos)));
    if let Some((confined, pos)) = annotation {
        return Some((confined, pos, format!("annotation {key}: unconfined")));
    }
    if let Some(confined) = field(c.pod.node).and_then(field_confines) {
        return Some((
            confined,
            c.pod.node.locate("securityContext.appArmorProfile.type"),
            "appArmorProfile.type: Unconfined in the pod securityContext".into(),
        ));
    }
    None
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if let Some((false, pos, source)) = effective_profile(c) {
            out.container_at(
                c,
                pos,
                "securityContext.appArmorProfile.type",
                format!("{} runs with AppArmor unconfined ({source})", label(c)),
            );
        }
    });
}
