use rampart_model::Object;

use super::removed_api_version::VERSION_PARAM;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "deprecated-api-version",
        title: "Object uses a deprecated API version that a later Kubernetes release removes",
        severity: Severity::Low,
        category: Category::Hygiene,
        target: Target::Any,
        finds: "Objects whose `apiVersion` and `kind` name a beta API that is deprecated at \
                the version in `kubernetes-version` but still served there, such as \
                `networking.k8s.io/v1beta1` ServiceCIDR and IPAddress and \
                `storage.k8s.io/v1beta1` VolumeAttributesClass (deprecated in 1.34, removed \
                in 1.37) or the `resource.k8s.io/v1beta1` and `v1beta2` APIs (deprecated in \
                1.35 and 1.36). APIs the target version no longer serves are reported by \
                `removed-api-version` instead. Alpha API versions are not covered.",
        why: "The API server still accepts the object but warns on every request, and a \
              coming release will reject it: the manifests, charts and the tools that apply \
              them break during an upgrade unless they move first. Beta APIs also lose \
              fixes and defaults that only the newer version gets.",
        remediation: "Move the object to the replacement API version named in the finding \
                      before upgrading to the release that removes the old one, and review \
                      the field changes in the Kubernetes deprecated API migration guide.",
        example: "apiVersion: storage.k8s.io/v1\nkind: VolumeAttributesClass\nmetadata:\n  name: fast\ndriverName: pd.csi.storage.gke.io\nparameters:\n  iops: \"3000\"\n",
        references: &[
            "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
            "https://kubernetes.io/docs/reference/using-api/deprecation-policy/",
        ],
        params: &[VERSION_PARAM],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(api) = lifecycle(obj) else {
        return;
    };
    let target = target_minor(ctx);
    if target < api.deprecated || target >= api.removed {
        return;
    }
    let advice = if api.replacement.is_empty() {
        format!("; {}", api.note)
    } else if target < api.available {
        format!(
            "; use {} once the cluster runs 1.{} or later",
            api.replacement, api.available
        )
    } else {
        format!("; use {}", api.replacement)
    };
    out.object(
        "apiVersion",
        format!(
            "{} {} is deprecated since Kubernetes 1.{} and no longer served from 1.{}{advice}",
            api.kind, api.api_version, api.deprecated, api.removed
        ),
    );
}

/// The Kubernetes minor version the check targets (`kubernetes-version`).
pub(super) fn target_minor(ctx: &Ctx<'_>) -> u32 {
    ctx.params
        .version("kubernetes-version")
        .unwrap_or(crate::NEWEST_KUBERNETES_MINOR)
}

/// When a built-in API version of a kind was deprecated and stopped being served, and
/// what replaces it.
#[derive(Debug)]
pub(super) struct ApiLifecycle {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// Minor version in which it was deprecated.
    pub deprecated: u32,
    /// Minor version from which the API server no longer serves it.
    pub removed: u32,
    /// The API version to use instead (empty when there is none).
    pub replacement: &'static str,
    /// Minor version from which the replacement is served.
    pub available: u32,
    /// What to do when there is no replacement.
    pub note: &'static str,
}

/// The lifecycle of `obj`'s API version, when it is a deprecated built-in one.
pub(super) fn lifecycle(obj: &Object) -> Option<&'static ApiLifecycle> {
    // Every entry is a beta version; most objects are not.
    if !obj.api_version.contains("beta") {
        return None;
    }
    APIS.iter()
        .find(|a| a.api_version == obj.api_version && a.kind == obj.kind)
}

const PSP_NOTE: &str = "enforce the Pod Security Standards with Pod Security Admission \
                        namespace labels or a policy engine";

const fn api(
    api_version: &'static str,
    kind: &'static str,
    deprecated: u32,
    removed: u32,
    replacement: &'static str,
    available: u32,
) -> ApiLifecycle {
    ApiLifecycle {
        api_version,
        kind,
        deprecated,
        removed,
        replacement,
        available,
        note: "",
    }
}

/// Beta API versions of built-in kinds, with the release that deprecated them and the
/// release from which the API server stops serving them, from the Kubernetes deprecated
/// API migration guide and the API types' `prerelease-lifecycle` tags (which drive the
/// API server's own deprecation warnings and removal).
static APIS: &[ApiLifecycle] = &[
    // Removed in 1.16.
    api("extensions/v1beta1", "Deployment", 8, 16, "apps/v1", 9),
    api("extensions/v1beta1", "DaemonSet", 8, 16, "apps/v1", 9),
    api("extensions/v1beta1", "ReplicaSet", 8, 16, "apps/v1", 9),
    api(
        "extensions/v1beta1",
        "NetworkPolicy",
        9,
        16,
        "networking.k8s.io/v1",
        8,
    ),
    ApiLifecycle {
        note: PSP_NOTE,
        ..api("extensions/v1beta1", "PodSecurityPolicy", 11, 16, "", 0)
    },
    api("apps/v1beta1", "Deployment", 8, 16, "apps/v1", 9),
    api("apps/v1beta1", "StatefulSet", 8, 16, "apps/v1", 9),
    api("apps/v1beta1", "ReplicaSet", 8, 16, "apps/v1", 9),
    api("apps/v1beta2", "Deployment", 9, 16, "apps/v1", 9),
    api("apps/v1beta2", "StatefulSet", 9, 16, "apps/v1", 9),
    api("apps/v1beta2", "DaemonSet", 9, 16, "apps/v1", 9),
    api("apps/v1beta2", "ReplicaSet", 9, 16, "apps/v1", 9),
    // Removed in 1.22.
    api(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        16,
        22,
        "admissionregistration.k8s.io/v1",
        16,
    ),
    api(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        16,
        22,
        "admissionregistration.k8s.io/v1",
        16,
    ),
    api(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        16,
        22,
        "apiextensions.k8s.io/v1",
        16,
    ),
    api(
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        19,
        22,
        "apiregistration.k8s.io/v1",
        10,
    ),
    api(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        19,
        22,
        "certificates.k8s.io/v1",
        19,
    ),
    api(
        "coordination.k8s.io/v1beta1",
        "Lease",
        19,
        22,
        "coordination.k8s.io/v1",
        14,
    ),
    api(
        "extensions/v1beta1",
        "Ingress",
        14,
        22,
        "networking.k8s.io/v1",
        19,
    ),
    api(
        "networking.k8s.io/v1beta1",
        "Ingress",
        19,
        22,
        "networking.k8s.io/v1",
        19,
    ),
    api(
        "networking.k8s.io/v1beta1",
        "IngressClass",
        19,
        22,
        "networking.k8s.io/v1",
        19,
    ),
    api(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        17,
        22,
        "rbac.authorization.k8s.io/v1",
        8,
    ),
    api(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        17,
        22,
        "rbac.authorization.k8s.io/v1",
        8,
    ),
    api(
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        17,
        22,
        "rbac.authorization.k8s.io/v1",
        8,
    ),
    api(
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        17,
        22,
        "rbac.authorization.k8s.io/v1",
        8,
    ),
    api(
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        14,
        22,
        "scheduling.k8s.io/v1",
        14,
    ),
    api(
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        19,
        22,
        "storage.k8s.io/v1",
        19,
    ),
    api(
        "storage.k8s.io/v1beta1",
        "CSINode",
        17,
        22,
        "storage.k8s.io/v1",
        17,
    ),
    api(
        "storage.k8s.io/v1beta1",
        "StorageClass",
        19,
        22,
        "storage.k8s.io/v1",
        6,
    ),
    api(
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        19,
        22,
        "storage.k8s.io/v1",
        13,
    ),
    // Removed in 1.25.
    api("batch/v1beta1", "CronJob", 21, 25, "batch/v1", 21),
    api(
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        21,
        25,
        "discovery.k8s.io/v1",
        21,
    ),
    api("events.k8s.io/v1beta1", "Event", 22, 25, "events.k8s.io/v1", 19),
    api(
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        22,
        25,
        "autoscaling/v2",
        23,
    ),
    api("policy/v1beta1", "PodDisruptionBudget", 21, 25, "policy/v1", 21),
    ApiLifecycle {
        note: PSP_NOTE,
        ..api("policy/v1beta1", "PodSecurityPolicy", 21, 25, "", 0)
    },
    api(
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        22,
        25,
        "node.k8s.io/v1",
        20,
    ),
    // Removed in 1.26.
    api(
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        23,
        26,
        "autoscaling/v2",
        23,
    ),
    api(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema",
        23,
        26,
        "flowcontrol.apiserver.k8s.io/v1",
        29,
    ),
    api(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        23,
        26,
        "flowcontrol.apiserver.k8s.io/v1",
        29,
    ),
    // Removed in 1.27.
    api(
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        24,
        27,
        "storage.k8s.io/v1",
        24,
    ),
    // Removed in 1.29.
    api(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema",
        26,
        29,
        "flowcontrol.apiserver.k8s.io/v1",
        29,
    ),
    api(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        26,
        29,
        "flowcontrol.apiserver.k8s.io/v1",
        29,
    ),
    // Removed in 1.32.
    api(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema",
        29,
        32,
        "flowcontrol.apiserver.k8s.io/v1",
        29,
    ),
    api(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        29,
        32,
        "flowcontrol.apiserver.k8s.io/v1",
        29,
    ),
    // Removed in 1.34.
    api(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicy",
        31,
        34,
        "admissionregistration.k8s.io/v1",
        30,
    ),
    api(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicyBinding",
        31,
        34,
        "admissionregistration.k8s.io/v1",
        30,
    ),
    // Removed in 1.37.
    api(
        "networking.k8s.io/v1beta1",
        "ServiceCIDR",
        34,
        37,
        "networking.k8s.io/v1",
        33,
    ),
    api(
        "networking.k8s.io/v1beta1",
        "IPAddress",
        34,
        37,
        "networking.k8s.io/v1",
        33,
    ),
    api(
        "storage.k8s.io/v1beta1",
        "VolumeAttributesClass",
        34,
        37,
        "storage.k8s.io/v1",
        34,
    ),
    // Removed in 1.38.
    api(
        "resource.k8s.io/v1beta1",
        "DeviceClass",
        35,
        38,
        "resource.k8s.io/v1",
        34,
    ),
    api(
        "resource.k8s.io/v1beta1",
        "ResourceClaim",
        35,
        38,
        "resource.k8s.io/v1",
        34,
    ),
    api(
        "resource.k8s.io/v1beta1",
        "ResourceClaimTemplate",
        35,
        38,
        "resource.k8s.io/v1",
        34,
    ),
    api(
        "resource.k8s.io/v1beta1",
        "ResourceSlice",
        35,
        38,
        "resource.k8s.io/v1",
        34,
    ),
    // Removed in 1.39.
    api(
        "resource.k8s.io/v1beta2",
        "DeviceClass",
        36,
        39,
        "resource.k8s.io/v1",
        34,
    ),
    api(
        "resource.k8s.io/v1beta2",
        "ResourceClaim",
        36,
        39,
        "resource.k8s.io/v1",
        34,
    ),
    api(
        "resource.k8s.io/v1beta2",
        "ResourceClaimTemplate",
        36,
        39,
        "resource.k8s.io/v1",
        34,
    ),
    api(
        "resource.k8s.io/v1beta2",
        "ResourceSlice",
        36,
        39,
        "resource.k8s.io/v1",
        34,
    ),
];

#[cfg(test)]
mod tests {
    use super::APIS;
    use crate::parse_kubernetes_version as parse_minor;
    use crate::engine::testing;
    use crate::{ParamValue, Params};

    #[test]
    fn versions() {
        assert_eq!(parse_minor("1.29"), Some(29));
        assert_eq!(parse_minor("v1.29"), Some(29));
        assert_eq!(parse_minor("1.29.3"), Some(29));
        assert_eq!(parse_minor(" 1.30 "), Some(30));
        assert_eq!(parse_minor("2.1"), None);
        assert_eq!(parse_minor("1"), None);
        assert_eq!(parse_minor("1.x"), None);
        assert_eq!(parse_minor("1.29.x"), None);
    }

    #[test]
    fn table_is_consistent() {
        for a in APIS {
            assert!(a.deprecated < a.removed, "{a:?}");
            assert!(a.api_version.contains("beta"), "{a:?}");
            assert!(a.replacement.is_empty() != a.note.is_empty(), "{a:?}");
        }
    }

    fn messages(text: &str, version: &str) -> Vec<String> {
        let mut params = Params::defaults(&super::CHECK.meta);
        params.set(
            "kubernetes-version",
            ParamValue::Version(parse_minor(version).expect("test versions are valid")),
        );
        testing::messages(&super::CHECK, params, text)
    }

    #[test]
    fn only_between_deprecation_and_removal() {
        let hpa = "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: a\n";
        assert!(messages(hpa, "1.22").is_empty());
        assert_eq!(
            messages(hpa, "1.24"),
            [
                "HorizontalPodAutoscaler autoscaling/v2beta2 is deprecated since Kubernetes 1.23 \
                 and no longer served from 1.26; use autoscaling/v2"
            ]
        );
        assert!(messages(hpa, "1.26").is_empty());
    }

    #[test]
    fn replacement_not_yet_served() {
        let fs = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\nmetadata:\n  name: a\n";
        let found = messages(fs, "1.24");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].ends_with("once the cluster runs 1.29 or later"),
            "{found:?}"
        );
    }
}
