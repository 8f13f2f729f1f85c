use rampart_model::{Node, Object, PodSpec};

use crate::util::glob_match;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity};

const CONTROL_PLANE: &[&str] = &[
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
];

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "workload-in-system-namespace",
        title: "Workload is placed in a Kubernetes system namespace",
        severity: Severity::Medium,
        category: Category::Hygiene,
        finds: "Workloads (every kind with a pod spec) whose `metadata.namespace` matches one \
                of `namespaces` (globs; `kube-system`, `kube-public` and `kube-node-lease` by \
                default). Control-plane static pods as kubeadm writes them (labels \
                `tier: control-plane` and `component` one of `etcd`, `kube-apiserver`, \
                `kube-controller-manager`, `kube-scheduler`) are not reported. Objects without \
                a namespace are not reported: they land wherever they are applied.",
        why: "`kube-system` holds the cluster's own components and their ServiceAccounts, \
              several of which can read every Secret or create any pod. A pod can run as any \
              ServiceAccount of its namespace, so whoever can create or change workloads there \
              can borrow those identities, and the namespace is often exempted from Pod \
              Security admission and NetworkPolicies so that system components keep working. \
              Application workloads there get that exemption and become a path to \
              cluster-wide privileges; `kube-public` is readable by everyone, and \
              `kube-node-lease` is reserved for node heartbeats.",
        remediation: "Move the workload to a namespace of its own, with its own \
                      ServiceAccount, RBAC, NetworkPolicies and Pod Security labels. Cluster \
                      add-ons that must live in `kube-system` (DNS, CNI, kube-proxy) are \
                      better covered by an exception naming them.",
        example: "metadata:\n  name: metrics-agent\n  namespace: monitoring\n",
        references: &[
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation",
        ],
        equivalents: &["trivy:KSV037"],
        params: &[ParamSpec {
            name: "namespaces",
            description: "Namespaces (globs with `*` and `?`) reserved for the cluster's own \
                          components.",
            default: ParamDefault::Strings(&["kube-system", "kube-public", "kube-node-lease"]),
        }],
        controls: &[
            "mitre-attack-containers:T1036.005",
            "nist-800-53-r5:SC-2",
            "nsa-cisa-1.2:network.namespaces",
            "pci-dss-4.0:2.2.3",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn control_plane_static_pod(pod: &PodSpec<'_>) -> bool {
    let labels = pod.metadata.and_then(|m| m.get("labels"));
    let value = |k: &str| labels.and_then(|l| l.get(k)).and_then(Node::scalar_text);
    value("tier") == Some("control-plane") && value("component").is_some_and(|c| CONTROL_PLANE.contains(&c))
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(ns) = obj.namespace.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
        return;
    };
    if !ctx.params.strings("namespaces").iter().any(|p| glob_match(p, ns)) {
        return;
    }
    let Some(pod) = PodSpec::of(obj) else { return };
    if control_plane_static_pod(&pod) {
        return;
    }
    out.object(
        "metadata.namespace",
        format!("workload runs in the system namespace \"{ns}\"; move it to a namespace of its own"),
    );
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use crate::{Enabled, ParamValue, Params, run};

    #[test]
    fn namespaces_parameter() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: kube-system\n\
                    spec:\n  containers:\n    - name: a\n      image: a:1\n---\n\
                    apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  namespace: platform-system\n\
                    spec:\n  containers:\n    - name: b\n      image: b:1\n";
        let source = Arc::new(Source::new("t.yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let check = &super::CHECK;
        let findings = |list: Option<&[&str]>| {
            let mut params = Params::defaults(&check.meta);
            if let Some(list) = list {
                params.set(
                    "namespaces",
                    ParamValue::Strings(list.iter().map(|s| (*s).to_string()).collect()),
                );
            }
            run(
                &[Enabled {
                    check,
                    severity: check.meta.severity,
                    params,
                }],
                &objects,
            )
        };
        let found = findings(None);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].pos.line, found[0].pos.col), (5, 3));
        assert_eq!(findings(Some(&["*-system"])).len(), 2);
        assert!(findings(Some(&[])).is_empty());
    }
}
