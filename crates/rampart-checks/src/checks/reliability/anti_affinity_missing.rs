use rampart_model::{Node, Object, PodSpec};

use super::replicas_too_few::{autoscaler, has_controller, replicas};
use crate::inventory::{LabelSelector, PodLabels};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "anti-affinity-missing",
        title: "Replicas are not required to spread over nodes",
        severity: Severity::Low,
        category: Category::Reliability,
        enabled_by_default: false,
        target: Target::Kinds(&["Deployment", "StatefulSet"]),
        finds: "Deployments and StatefulSets (`apps` or `extensions`) that run at least \
                `min-replicas` replicas (2 by default; `spec.replicas`, unset meaning 1, or the \
                `maxReplicas` of a HorizontalPodAutoscaler or KEDA ScaledObject of the scan that \
                scales them) and whose pod template has no `podAntiAffinity` term \
                (`requiredDuringScheduling...` or `preferredDuringScheduling...`) and no \
                `topologySpreadConstraints` entry that selects the workload's own pods: the \
                term's `labelSelector` must select the template's labels (labels the \
                controller adds to each pod, such as `pod-template-hash`, match whatever \
                value is asked of them), and a term limited \
                by `namespaces` (without `namespaceSelector`) must include the workload's \
                namespace. Any `topologyKey` counts. Objects controlled by another object \
                (`ownerReferences` with `controller: true`) are not reported.",
        why: "Replicas exist to survive the loss of a node or a zone, but the scheduler only \
              spreads them on a best-effort basis by default: when nodes are busy, after a \
              drain or when a cluster autoscaler packs pods, several or all replicas can \
              land on one node, and that node's failure or maintenance takes the whole \
              workload down at once. An anti-affinity term or a topology spread constraint \
              that selects the workload's own pods makes the spreading explicit.",
        remediation: "Add a `topologySpreadConstraints` entry over `kubernetes.io/hostname` \
                      (and `topology.kubernetes.io/zone` where there are zones) whose \
                      `labelSelector` selects the workload's pods, or a preferred \
                      `podAntiAffinity` term with the same selector.",
        example: "spec:\n  template:\n    spec:\n      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: kubernetes.io/hostname\n          whenUnsatisfiable: ScheduleAnyway\n          labelSelector:\n            matchLabels:\n              app.kubernetes.io/name: web\n",
        references: &[
            "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",
            "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity",
        ],
        equivalents: &[
            "kube-linter:no-anti-affinity",
            "kube-score:deployment-has-host-podantiaffinity",
            "kube-score:statefulset-has-host-podantiaffinity",
        ],
        params: &[ParamSpec {
            name: "min-replicas",
            description: "Workloads with at least this many replicas must spread them.",
            default: ParamDefault::Int(2),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// Whether a pod affinity term (or topology spread constraint) applies to the workload's
/// own pods. A null or missing `labelSelector` selects no pod; a selector that cannot be
/// read counts as selecting them, to avoid false positives.
fn selects_own_pods(term: &Node, labels: &PodLabels, namespace: Option<&str>) -> bool {
    let namespaces: Vec<&str> = term
        .get("namespaces")
        .map(Node::items)
        .unwrap_or_default()
        .filter_map(Node::scalar_text)
        .collect();
    let ns_selector = term.get("namespaceSelector").is_some_and(|n| !n.is_null());
    if !namespaces.is_empty() && !ns_selector && namespace.is_some_and(|ns| !namespaces.contains(&ns)) {
        return false;
    }
    match term.get("labelSelector").filter(|s| !s.is_null()) {
        None => false,
        Some(node) => LabelSelector::parse(node).map_or(true, |s| s.matches(labels)),
    }
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !matches!(obj.group(), "apps" | "extensions") || has_controller(obj) {
        return;
    }
    let Some(pod) = PodSpec::of(obj) else { return };
    let Some(count) = replicas(obj) else { return };
    let min = ctx.params.int("min-replicas").unwrap_or(2);
    let (count, how) = match autoscaler(ctx, obj) {
        Some(a) => {
            let n = a.max_replicas.unwrap_or(count);
            (
                n,
                format!("can be scaled to {n} replicas by {} \"{}\"", a.kind, a.name),
            )
        }
        None => (count, format!("runs {count} replicas")),
    };
    if count < min {
        return;
    }
    let labels = PodLabels::of(obj).unwrap_or_default();
    let namespace = obj.namespace.as_deref().filter(|n| !n.is_empty());
    let anti = pod
        .node
        .get_entry("affinity")
        .and_then(|(_, a)| a.get_entry("podAntiAffinity"));
    let mut terms: Vec<&Node> = Vec::new();
    if let Some((_, a)) = anti {
        terms.extend(
            a.get("requiredDuringSchedulingIgnoredDuringExecution")
                .map(Node::items)
                .unwrap_or_default(),
        );
        terms.extend(
            a.get("preferredDuringSchedulingIgnoredDuringExecution")
                .map(Node::items)
                .unwrap_or_default()
                .filter_map(|p| p.get("podAffinityTerm")),
        );
    }
    let spread = pod.node.get_entry("topologySpreadConstraints");
    let constraints: Vec<&Node> = spread.map(|(_, s)| s.items().collect()).unwrap_or_default();
    if terms
        .iter()
        .chain(&constraints)
        .any(|t| selects_own_pods(t, &labels, namespace))
    {
        return;
    }
    if terms.is_empty() && constraints.is_empty() {
        out.object(
            &format!("{}.affinity.podAntiAffinity", pod.path),
            format!(
                "{} {how} but sets neither pod anti-affinity nor topology spread constraints; spread the replicas over nodes",
                obj.kind
            ),
        );
        return;
    }
    // One of them is present: the terms or constraints came from it.
    let (pos, field) = match (anti, spread) {
        (Some((key, _)), _) => (key.pos, "affinity.podAntiAffinity"),
        (None, Some((key, _))) => (key.pos, "topologySpreadConstraints"),
        (None, None) => return,
    };
    out.object_at(
        pos,
        &format!("{}.{field}", pod.path),
        format!(
            "{} {how} but none of its pod anti-affinity terms or topology spread constraints selects its own pods; select the pod template's labels",
            obj.kind
        ),
    );
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use crate::{Enabled, ParamValue, Params, run};

    #[test]
    fn min_replicas_parameter() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  \
                    replicas: 2\n  selector:\n    matchLabels: {app: a}\n  template:\n    \
                    metadata:\n      labels: {app: a}\n    spec:\n      containers:\n        \
                    - name: a\n          image: a:1\n";
        let source = Arc::new(Source::new("t.yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let check = &super::CHECK;
        let findings = |min: Option<i64>| {
            let mut params = Params::defaults(&check.meta);
            if let Some(min) = min {
                params.set("min-replicas", ParamValue::Int(min));
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
        assert_eq!((found[0].pos.line, found[0].pos.col), (12, 5));
        assert!(findings(Some(3)).is_empty());
    }
}
