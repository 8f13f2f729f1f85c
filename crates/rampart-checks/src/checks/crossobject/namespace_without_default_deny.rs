use rampart_model::{Node, Object};

use crate::inventory::LabelSelector;
use crate::util::glob_match;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity, Target};

const DEFAULT_EXCLUDED: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "namespace-without-default-deny",
        title: "Namespace has no default-deny NetworkPolicy in the scan",
        severity: Severity::Medium,
        category: Category::Network,
        target: Target::Kinds(&["Namespace"]),
        finds: "Namespace objects of the scan (except those matching `exclude-namespaces`) for \
                which no NetworkPolicy (`networking.k8s.io`) of the scan in that namespace \
                denies ingress by default: a policy with an empty or missing `podSelector`, \
                `Ingress` among its `policyTypes` (or no `policyTypes`, which always includes \
                Ingress) and no `ingress` rules. With `require-egress`, a default-deny egress \
                policy is required as well (`Egress` listed in `policyTypes`, no `egress` rules). \
                Only the NetworkPolicies in the scan are considered; cluster-wide policies of \
                the network plugin (Calico, Cilium, AdminNetworkPolicy) are not seen.",
        why: "Without a default-deny policy every pod of the namespace that no other policy \
              selects accepts connections from any pod in the cluster, and each new workload \
              starts open until someone writes its policy. A default-deny baseline makes \
              isolation the default and every allowed flow explicit.",
        remediation: "Add a NetworkPolicy with an empty podSelector and `policyTypes: \
                      [Ingress, Egress]` and no rules to the namespace, then allow the traffic \
                      each workload needs (including DNS egress) with narrower policies.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
            "https://kubernetes.io/docs/concepts/security/security-checklist/#network-security",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.3.2",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1046",
            "nist-800-190:4.3.3",
            "nist-800-53-r5:AC-4",
            "nist-800-53-r5:SC-7",
            "nist-800-53-r5:SC-7(5)",
            "nsa-cisa-1.2:network.default-deny",
            "pci-dss-4.0:1.3.1",
            "soc2:CC6.1",
        ],
        params: &[
            ParamSpec {
                name: "require-egress",
                description: "Also require a default-deny egress policy (`Egress` in \
                              `policyTypes` and no `egress` rules).",
                default: ParamDefault::Bool(false),
            },
            ParamSpec {
                name: "exclude-namespaces",
                description: "Globs (`*`, `?`) of Namespace names not to report.",
                default: ParamDefault::Strings(DEFAULT_EXCLUDED),
            },
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Namespace" || !obj.group().is_empty() || obj.name.is_empty() {
        return;
    }
    let ns = obj.name.as_str();
    if ctx
        .params
        .strings("exclude-namespaces")
        .iter()
        .any(|p| glob_match(p, ns))
    {
        return;
    }
    let (mut ingress, mut egress) = (false, false);
    for &i in ctx.inventory.in_namespace("NetworkPolicy", ns) {
        let policy = &ctx.objects[i];
        if !matches!(policy.group(), "networking.k8s.io" | "extensions") {
            continue;
        }
        let (deny_ingress, deny_egress) = default_deny(policy.root.get("spec"));
        ingress |= deny_ingress;
        egress |= deny_egress;
    }
    let require_egress = ctx.params.bool("require-egress");
    let missing = match (ingress, egress || !require_egress) {
        (true, true) => return,
        (false, true) => "ingress",
        (true, false) => "egress",
        (false, false) => "ingress and egress",
    };
    out.object(
        "metadata.name",
        format!(
            "no NetworkPolicy among the scanned objects of namespace \"{ns}\" denies {missing} \
             by default (empty podSelector, no rules): pods no other policy selects are open; \
             add a default-deny NetworkPolicy"
        ),
    );
}

/// Whether a NetworkPolicy spec denies all ingress, and all egress, to every pod of its
/// namespace.
fn default_deny(spec: Option<&Node>) -> (bool, bool) {
    let Some(spec) = spec else {
        // No spec: an empty podSelector, and policyTypes defaulting to Ingress.
        return (true, false);
    };
    let selects_all = match spec.get("podSelector") {
        None => true,
        Some(n) if n.is_null() => true,
        Some(n) => LabelSelector::parse(n).is_ok_and(|s| s.is_empty()),
    };
    if !selects_all {
        return (false, false);
    }
    let rules = |field: &str| spec.get(field).map_or(0, |r| r.items().len());
    let listed: Vec<&str> = spec
        .get("policyTypes")
        .map(Node::items)
        .unwrap_or_default()
        .filter_map(Node::scalar_text)
        .collect();
    // Without policyTypes: Ingress always, Egress when there are egress rules.
    let (has_ingress, has_egress) = if listed.is_empty() {
        (true, rules("egress") > 0)
    } else {
        (listed.contains(&"Ingress"), listed.contains(&"Egress"))
    };
    (
        has_ingress && rules("ingress") == 0,
        has_egress && rules("egress") == 0,
    )
}

#[cfg(test)]
mod tests {
    use crate::engine::testing;
    use crate::{ParamValue, Params};

    fn messages(text: &str, require_egress: bool) -> Vec<String> {
        let mut params = Params::defaults(&super::CHECK.meta);
        params.set("require-egress", ParamValue::Bool(require_egress));
        testing::messages(&super::CHECK, params, text)
    }

    const INGRESS_ONLY: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: shop
spec:
  podSelector: {}
";

    #[test]
    fn egress_is_required_only_when_asked() {
        assert!(messages(INGRESS_ONLY, false).is_empty());
        let found = messages(INGRESS_ONLY, true);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("denies egress by default"), "{found:?}");
    }

    #[test]
    fn both_directions() {
        let text = format!(
            "{INGRESS_ONLY}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-egress\n  namespace: shop\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n"
        );
        assert!(messages(&text, true).is_empty());
    }

    #[test]
    fn excluded_namespaces() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n";
        assert!(messages(text, false).is_empty());
    }
}
