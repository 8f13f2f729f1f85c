use rampart_model::{Node, Object, Pos};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "selector-template-mismatch",
        title: "Workload selector does not match its pod template's labels",
        severity: Severity::Medium,
        category: Category::Reliability,
        target: Target::Kinds(&[
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ReplicationController",
            "Job",
            "CronJob",
        ]),
        finds: "Deployments, StatefulSets, DaemonSets and ReplicaSets (`apps` or `extensions`), \
                ReplicationControllers, and Jobs with `manualSelector: true` (also inside a \
                CronJob's `jobTemplate`) whose `spec.selector` does not select the labels of \
                their own pod template (`spec.template.metadata.labels`): a `matchLabels` \
                entry whose label is missing or different, or a `matchExpressions` \
                requirement that fails (`In`: the label must exist with one of the values; \
                `NotIn`: it must be absent or have another value; `Exists`; \
                `DoesNotExist`). Each unmet requirement is reported where it is written. Also \
                reported: an `apps/v1` workload without a selector or with an empty one, and a \
                manual Job selector that is empty (it would select every pod of the \
                namespace). Selectors with an unknown operator are not evaluated. A \
                ReplicationController without a selector defaults to its template's labels and \
                is fine.",
        why: "A controller manages the pods its selector selects and creates pods from its \
              template. When the template's labels do not satisfy the selector, the API \
              server rejects the object, so the rollout fails at apply time, typically \
              after a templating change renamed a label on one side only; catching it \
              before the apply is cheaper. An empty manual Job selector is accepted, and \
              makes the Job controller count, adopt and delete the pods of other Jobs.",
        remediation: "Make the pod template carry every label the selector requires (keep the \
                      selector small and stable: it is immutable on most workloads, so change \
                      the template's labels rather than the selector).",
        example: "spec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: web\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: web\n        app.kubernetes.io/version: \"2.14.1\"\n",
        references: &[
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
            "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector",
            "https://kubernetes.io/docs/concepts/workloads/controllers/job/#specifying-your-own-pod-selector",
        ],
        equivalents: &[
            "kube-linter:mismatching-selector",
            "kube-score:deployment-pod-selector-labels-match-template-metadata-labels",
            "kube-score:statefulset-pod-selector-labels-match-template-metadata-labels",
            "kubescape:C-0296",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// One requirement of a label selector that a set of labels does not meet.
#[derive(Debug)]
struct Unmet {
    /// Where the requirement is written.
    pos: Pos,
    /// Its path, relative to the selector (`matchLabels["app"]`, `matchExpressions[1]`).
    rel: String,
    /// What is required and what the labels have.
    message: String,
}

fn label_value<'a>(labels: Option<&'a Node>, key: &str) -> Option<&'a str> {
    labels?
        .get(key)
        .filter(|v| !v.is_null())
        .and_then(Node::scalar_text)
}

fn describe(labels: Option<&Node>, key: &str) -> String {
    match label_value(labels, key) {
        Some(v) => format!("the pod template has {key}={v}"),
        None => format!("the pod template has no label \"{key}\""),
    }
}

/// The requirements of `selector` (a `LabelSelector`: `matchLabels` and
/// `matchExpressions`) that `labels`, as written in the pod template, do not meet (the
/// API server validates the template's labels as written, without the labels
/// controllers add to pods). None when the selector cannot be
/// evaluated (an unknown operator, a malformed expression).
fn unmet_requirements(selector: &Node, labels: Option<&Node>) -> Option<Vec<Unmet>> {
    let mut unmet = Vec::new();
    for (key, value) in selector.get("matchLabels").map(Node::entries).unwrap_or_default() {
        let want = value.scalar_text().unwrap_or("");
        if label_value(labels, &key.name) != Some(want) {
            unmet.push(Unmet {
                pos: key.pos,
                rel: format!("matchLabels[\"{}\"]", key.name),
                message: format!(
                    "selector requires {}={want} but {}",
                    key.name,
                    describe(labels, &key.name)
                ),
            });
        }
    }
    let expressions = selector
        .get("matchExpressions")
        .map(Node::items)
        .unwrap_or_default();
    for (i, expr) in expressions.enumerate() {
        let key = expr.get("key").and_then(Node::scalar_text)?;
        let op = expr.get("operator").and_then(Node::scalar_text)?;
        let values: Vec<&str> = expr
            .get("values")
            .map(Node::items)
            .unwrap_or_default()
            .filter_map(Node::scalar_text)
            .collect();
        let have = label_value(labels, key);
        let met = match op {
            "In" => have.is_some_and(|v| values.contains(&v)),
            "NotIn" => have.is_none_or(|v| !values.contains(&v)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => return None,
        };
        if !met {
            let requirement = match op {
                "In" | "NotIn" => format!("{key} {op} ({})", values.join(", ")),
                _ => format!("{key} {op}"),
            };
            unmet.push(Unmet {
                pos: expr.pos,
                rel: format!("matchExpressions[{i}]"),
                message: format!("selector requires {requirement} but {}", describe(labels, key)),
            });
        }
    }
    Some(unmet)
}

fn is_empty_selector(selector: &Node) -> bool {
    ["matchLabels", "matchExpressions"].iter().all(|k| {
        selector
            .get(k)
            .is_none_or(|n| n.entries().len() + n.items().len() == 0)
    })
}

/// Where a kind keeps its selector and template; None when it is not checked.
fn layout(obj: &Object) -> Option<&'static str> {
    let group = obj.group();
    match obj.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            if matches!(group, "apps" | "extensions") =>
        {
            Some("spec")
        }
        "ReplicationController" if group.is_empty() => Some("spec"),
        "Job" if group == "batch" => Some("spec"),
        "CronJob" if group == "batch" => Some("spec.jobTemplate.spec"),
        _ => None,
    }
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(base) = layout(obj) else { return };
    let Some(spec) = obj.root.at(base) else { return };
    let is_job = matches!(obj.kind.as_str(), "Job" | "CronJob");
    if is_job && spec.get("manualSelector").and_then(Node::as_bool) != Some(true) {
        return;
    }
    let labels = spec.at("template.metadata.labels");
    let selector = spec.get("selector").filter(|s| !s.is_null());
    let sel_path = format!("{base}.selector");
    if obj.kind == "ReplicationController" {
        // A plain map of labels, defaulted from the template when absent.
        let Some(selector) = selector else { return };
        for (key, value) in selector.entries() {
            let want = value.scalar_text().unwrap_or("");
            if label_value(labels, &key.name) != Some(want) {
                out.object_at(
                    key.pos,
                    &format!("{sel_path}[\"{}\"]", key.name),
                    format!(
                        "selector requires {}={want} but {}",
                        key.name,
                        describe(labels, &key.name)
                    ),
                );
            }
        }
        return;
    }
    let Some(selector) = selector else {
        if obj.api_version == "apps/v1" || is_job {
            out.object(
                &sel_path,
                format!(
                    "{} has no {sel_path}; set one that matches the pod template's labels",
                    obj.kind
                ),
            );
        }
        return;
    };
    if is_empty_selector(selector) {
        if is_job {
            out.object(
                &sel_path,
                "manual Job selector is empty and would select every pod of the namespace; select the template's labels",
            );
        } else if obj.api_version == "apps/v1" {
            out.object(
                &sel_path,
                format!(
                    "{} has an empty selector, which the API server rejects; select the pod template's labels",
                    obj.kind
                ),
            );
        }
        return;
    }
    for u in unmet_requirements(selector, labels).unwrap_or_default() {
        out.object_at(u.pos, &format!("{sel_path}.{}", u.rel), u.message);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use super::unmet_requirements;

    fn node(yaml: &str) -> rampart_model::Node {
        let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n{yaml}");
        let source = Arc::new(Source::new("t.yaml".into(), Some(text)));
        let mut objects = parse_source(&source, &Limits::default()).objects;
        objects.remove(0).root.get("data").unwrap().clone()
    }

    #[test]
    fn selector_semantics() {
        let labels = node("  app: web\n  tier: frontend\n");
        let check = |sel: &str| unmet_requirements(&node(sel), Some(&labels)).map(|u| u.is_empty());
        assert_eq!(check("  matchLabels: {app: web}\n"), Some(true));
        assert_eq!(check("  matchLabels: {app: api}\n"), Some(false));
        assert_eq!(
            check("  matchExpressions: [{key: tier, operator: In, values: [frontend, edge]}]\n"),
            Some(true)
        );
        assert_eq!(
            check("  matchExpressions: [{key: tier, operator: NotIn, values: [frontend]}]\n"),
            Some(false)
        );
        assert_eq!(
            check("  matchExpressions: [{key: canary, operator: NotIn, values: [\"true\"]}]\n"),
            Some(true)
        );
        assert_eq!(
            check("  matchExpressions: [{key: app, operator: Exists}]\n"),
            Some(true)
        );
        assert_eq!(
            check("  matchExpressions: [{key: app, operator: DoesNotExist}]\n"),
            Some(false)
        );
        assert_eq!(
            check("  matchExpressions: [{key: app, operator: Matches}]\n"),
            None
        );
        assert_eq!(check("  {}\n"), Some(true));
    }
}
