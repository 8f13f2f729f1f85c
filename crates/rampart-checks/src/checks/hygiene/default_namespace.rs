use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity, Target};

/// Kinds that do not live in a namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeSnapshotClass",
];

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "default-namespace",
        title: "Object is placed in the default namespace",
        severity: Severity::Low,
        category: Category::Hygiene,
        target: Target::Any,
        finds: "Objects of any namespaced kind with `metadata.namespace: default`. With \
                `flag-unset: true`, also namespaced objects without `metadata.namespace`. \
                Cluster-scoped kinds (Namespace, Node, PersistentVolume, StorageClass, \
                ClusterRole, ClusterRoleBinding, CustomResourceDefinition, PriorityClass, \
                IngressClass, RuntimeClass, CSIDriver, webhook configurations, APIService \
                and the like) are never reported.",
        why: "Namespaces are the unit Kubernetes scopes RBAC, NetworkPolicies, \
              ResourceQuotas and Pod Security admission to. The `default` namespace is \
              shared by everything nobody placed elsewhere, often has no policies at all, \
              and tends to be where broad permissions get granted, so a workload there is \
              neither isolated from nor protected against unrelated ones.",
        remediation: "Create a namespace per application or team, with its own RBAC, \
                      NetworkPolicies, quotas and Pod Security labels, and set \
                      `metadata.namespace` explicitly.",
        example: "metadata:\n  name: web\n  namespace: shop\n",
        references: &[
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
            "https://kubernetes.io/docs/concepts/security/multi-tenancy/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.6.4",
        ],
        equivalents: &["trivy:KSV110", "checkov:CKV_K8S_21", "kube-linter:use-namespace"],
        params: &[ParamSpec {
            name: "flag-unset",
            description: "Also report namespaced objects without `metadata.namespace`, which \
                          land in whatever namespace the applying client is set to (often \
                          `default`).",
            default: ParamDefault::Bool(false),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if CLUSTER_SCOPED.contains(&obj.kind.as_str()) {
        return;
    }
    match obj.namespace.as_deref().map(str::trim) {
        Some("default") => out.object(
            "metadata.namespace",
            "object is placed in the \"default\" namespace",
        ),
        None | Some("") if ctx.params.bool("flag-unset") => out.object(
            "metadata.namespace",
            "object sets no namespace, so it lands in the applying client's namespace (often \"default\")",
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use crate::{Enabled, ParamValue, Params, run};

    #[test]
    fn flag_unset_reports_namespaced_objects_without_namespace() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n\
                    apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\n\
                    apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: team\n";
        let source = Arc::new(Source::new("t.yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let check = &super::CHECK;
        let findings = |params: Params| {
            run(
                &[Enabled {
                    check,
                    severity: check.meta.severity,
                    params,
                }],
                &objects,
            )
        };
        assert!(findings(Params::defaults(&check.meta)).is_empty());
        let mut params = Params::defaults(&check.meta);
        params.set("flag-unset", ParamValue::Bool(true));
        let found = findings(params);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].pos.line, found[0].pos.col), (3, 1));
        assert!(found[0].message.contains("no namespace"));
    }
}
