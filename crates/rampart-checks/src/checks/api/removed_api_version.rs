use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamSpec, Severity, Target};

pub(super) const VERSION_PARAM: ParamSpec = crate::KUBERNETES_VERSION_PARAM;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "removed-api-version",
        title: "Object uses an API version the target Kubernetes release no longer serves",
        severity: Severity::High,
        category: Category::Hygiene,
        target: Target::Any,
        finds: "Objects whose `apiVersion` and `kind` name a beta API that Kubernetes stopped \
                serving at or before the version in `kubernetes-version`: for example \
                `extensions/v1beta1` Deployments, DaemonSets, ReplicaSets, NetworkPolicies \
                and PodSecurityPolicies and `apps/v1beta1`/`apps/v1beta2` workloads (removed \
                in 1.16); `extensions/v1beta1` and `networking.k8s.io/v1beta1` Ingress, \
                IngressClass, `rbac.authorization.k8s.io/v1beta1`, \
                `admissionregistration.k8s.io/v1beta1` webhooks, \
                `apiextensions.k8s.io/v1beta1` CustomResourceDefinitions and other \
                `v1beta1` APIs (1.22); `batch/v1beta1` CronJob, `policy/v1beta1` \
                PodDisruptionBudget and PodSecurityPolicy, `autoscaling/v2beta1`, \
                `discovery.k8s.io/v1beta1`, `events.k8s.io/v1beta1`, `node.k8s.io/v1beta1` \
                (1.25); `autoscaling/v2beta2` and `flowcontrol.apiserver.k8s.io/v1beta1` \
                (1.26); `storage.k8s.io/v1beta1` CSIStorageCapacity (1.27); \
                `flowcontrol.apiserver.k8s.io/v1beta2` (1.29) and `v1beta3` (1.32); \
                `admissionregistration.k8s.io/v1beta1` ValidatingAdmissionPolicy (1.34). \
                Alpha API versions, served only when a cluster enables them, are not \
                covered.",
        why: "The API server rejects objects of an API version it no longer serves: \
              `kubectl apply`, Helm and GitOps tools fail with \"no matches for kind\", \
              usually in the middle of a cluster upgrade, and the objects of the release \
              stop being updated. Manifests that still use a removed version are also a sign \
              that defaults changed under them (the `apps/v1` Deployment, for example, \
              requires a selector and changed several defaults).",
        remediation: "Move the object to the replacement API version named in the \
                      finding, and review the field changes listed in the Kubernetes \
                      deprecated API migration guide (`kubectl convert` can rewrite a \
                      manifest). PodSecurityPolicy has no replacement API: enforce the Pod \
                      Security Standards with Pod Security Admission namespace labels or a \
                      policy engine.",
        example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nspec:\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: web\n                port:\n                  number: 80\n",
        references: &[
            "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
            "https://kubernetes.io/docs/reference/using-api/deprecation-policy/",
        ],
        equivalents: &["kube-linter:no-extensions-v1beta"],
        params: &[VERSION_PARAM],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(api) = super::deprecated_api_version::lifecycle(obj) else {
        return;
    };
    let target = super::deprecated_api_version::target_minor(ctx);
    if target < api.removed {
        return;
    }
    let advice = if api.replacement.is_empty() {
        format!(" with no replacement API; {}", api.note)
    } else {
        format!("; use {}", api.replacement)
    };
    out.object(
        "apiVersion",
        format!(
            "{} {} was removed in Kubernetes 1.{}{advice}",
            api.kind, api.api_version, api.removed
        ),
    );
}

#[cfg(test)]
mod tests {
    use crate::engine::testing;
    use crate::{ParamValue, Params};

    fn messages(text: &str, version: Option<&str>) -> Vec<String> {
        let mut params = Params::defaults(&super::CHECK.meta);
        if let Some(v) = version {
            let minor = crate::parse_kubernetes_version(v).expect("test versions are valid");
            params.set("kubernetes-version", ParamValue::Version(minor));
        }
        testing::messages(&super::CHECK, params, text)
    }

    const CRONJOB: &str = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: a\n";

    #[test]
    fn target_version_decides() {
        assert_eq!(
            messages(CRONJOB, None),
            ["CronJob batch/v1beta1 was removed in Kubernetes 1.25; use batch/v1"]
        );
        assert_eq!(messages(CRONJOB, Some("1.25")).len(), 1);
        assert_eq!(messages(CRONJOB, Some("v1.25.4")).len(), 1);
        assert!(messages(CRONJOB, Some("1.24")).is_empty());
    }

    #[test]
    fn pod_security_policy_has_no_replacement() {
        let psp = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: a\n";
        let found = messages(psp, None);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("no replacement API"), "{found:?}");
    }
}
