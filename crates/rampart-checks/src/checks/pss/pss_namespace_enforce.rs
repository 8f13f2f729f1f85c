//! Workloads judged at the Pod Security level their Namespace enforces.

use rampart_model::{Object, PodSpec};

use crate::inventory::namespace_of;
use crate::pss::{self, Level, Version};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-namespace-enforce",
        title: "Pod would be rejected by its namespace's Pod Security level",
        severity: Severity::High,
        category: Category::Privileges,
        finds: "Objects with a pod spec whose namespace is a Namespace object in the same scan \
                labelled `pod-security.kubernetes.io/enforce` (baseline or restricted, at the \
                version in `pod-security.kubernetes.io/enforce-version`, default latest): every \
                control of that policy the pod violates, judged exactly as Pod Security \
                Admission judges it, is one finding naming the label. Namespaces that are not \
                part of the scan are not guessed at; `warn` and `audit` labels do not reject \
                pods and are not evaluated.",
        why: "The API server refuses a Pod that violates its namespace's enforced level. For a \
              Deployment, Job or other controller the object itself is accepted (with a \
              warning that is easy to miss) but every pod it tries to create is refused, so \
              the rollout stalls at deploy time. Finding it in CI is cheaper than finding it \
              in a failed rollout.",
        remediation: "Change the pod spec to meet the namespace's level (the message lists every \
                      control and field), or, if the workload truly needs more, move it to a \
                      namespace with a suitable level and document why.",
        example: "securityContext:\n  runAsNonRoot: true\n  seccompProfile:\n    type: RuntimeDefault\ncontainers:\n  - name: app\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [\"ALL\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
            "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
        ],
        controls: &[
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "pci-dss-4.0:2.2.6",
        ],
        equivalents: &[],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn label<'a>(ns: &'a Object, key: &str) -> Option<(&'a str, rampart_model::Pos)> {
    let labels = ns.metadata()?.get("labels")?;
    let (k, v) = labels.get_entry(key)?;
    Some((v.scalar_text()?, k.pos))
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let ns_name = namespace_of(obj);
    // Namespaces are cluster-scoped: the inventory files them under `default`.
    let Some(ns) = ctx
        .inventory
        .find("Namespace", "default", ns_name)
        .map(|i| &ctx.objects[i])
        .filter(|o| o.group().is_empty())
    else {
        return;
    };
    let Some((level_text, label_pos)) = label(ns, "pod-security.kubernetes.io/enforce") else {
        return;
    };
    let version_text = label(ns, "pod-security.kubernetes.io/enforce-version").map_or("latest", |(v, _)| v);
    // Like Pod Security Admission, an unparsable label fails closed: restricted:latest.
    let (level, version, note) = match (Level::parse(level_text), Version::parse(version_text)) {
        (Some(l), Ok(v)) => (l, v, ""),
        _ => (Level::Restricted, Version::Latest, " (its labels are invalid, so restricted:latest applies)"),
    };
    for v in pss::evaluate(&pod, level, version) {
        out.object_at(
            v.pos,
            &v.path,
            format!(
                "namespace \"{ns_name}\" enforces Pod Security \"{level}:{version}\"{note} (label \
                 pod-security.kubernetes.io/enforce at {}:{}), which rejects this pod: {}: {}",
                ns.source.name,
                label_pos.line,
                v.control,
                v.message()
            ),
        );
    }
}

