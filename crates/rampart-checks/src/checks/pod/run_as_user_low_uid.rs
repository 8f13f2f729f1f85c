use rampart_model::{Node, Object, PodSpec};

use crate::util::{Origin, effective, effective_pos, is_windows, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "run-as-user-low-uid",
        title: "Container runs with a low UID that may exist on the node",
        severity: Severity::Low,
        category: Category::Privileges,
        enabled_by_default: false,
        finds: "Init, regular and ephemeral containers whose effective `runAsUser` (the \
                container's `securityContext`, else the pod's) is between 1 and `min-uid` - 1 \
                (10000 by default). UID 0 is left to `run-as-root`, and containers without an \
                effective `runAsUser` are not reported (the image's `USER` decides, which a \
                manifest does not show). Pods with `hostUsers: false` run in a user namespace \
                where container UIDs map to unprivileged host UIDs, and Windows pods \
                (`spec.os.name: windows`) have no UIDs: both are skipped.",
        why: "Without a user namespace, a container's UID is the same number on the node. Low \
              UIDs are the ones node accounts and system services use (`1000` is often the \
              first login user, services live below it), so a process that escapes the \
              container, or writes to a hostPath or a shared volume, acts on the node as that \
              account and owns its files. A high UID that nothing on the node uses limits \
              what an escape can reach.",
        remediation: "Run the containers as a dedicated high UID (and GID), set in the pod's \
                      securityContext or built into the image as a numeric `USER`, or run \
                      the pod in a user namespace with `hostUsers: false`.",
        example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
            "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",
        ],
        equivalents: &["trivy:KSV020", "checkov:CKV_K8S_40"],
        params: &[ParamSpec {
            name: "min-uid",
            description: "The lowest UID a container may run as; UIDs from 1 up to this \
                          value minus one are reported.",
            default: ParamDefault::Int(10000),
        }],
        controls: &[
            "nist-800-190:4.4.3",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    if is_windows(&pod) || pod.node.get("hostUsers").and_then(Node::as_bool) == Some(false) {
        return;
    }
    let min = ctx.params.int("min-uid").unwrap_or(10000);
    for c in pod.containers() {
        let Some((uid, origin)) =
            effective(&c, "runAsUser").and_then(|(n, origin)| Some((n.as_i64()?, origin)))
        else {
            continue;
        };
        if uid <= 0 || uid >= min {
            continue;
        }
        let place = match origin {
            Origin::Container => "",
            Origin::Pod => " in the pod securityContext",
        };
        out.container_at(
            &c,
            effective_pos(&c, "runAsUser", origin),
            "securityContext.runAsUser",
            format!(
                "{} runs as UID {uid} (runAsUser{place}), below {min}; use a high UID that no node account uses",
                label(&c)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use crate::{Enabled, ParamValue, Params, run};

    #[test]
    fn min_uid_parameter() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    \
                    runAsUser: 2000\n  containers:\n    - name: a\n      image: a:1\n    \
                    - name: b\n      image: b:1\n      securityContext:\n        runAsUser: 20000\n";
        let source = Arc::new(Source::new("t.yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let check = &super::CHECK;
        let findings = |min: Option<i64>| {
            let mut params = Params::defaults(&check.meta);
            if let Some(min) = min {
                params.set("min-uid", ParamValue::Int(min));
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
        assert_eq!(found[0].container.as_deref(), Some("a"));
        assert_eq!((found[0].pos.line, found[0].pos.col), (7, 5));
        assert!(findings(Some(2000)).is_empty());
        assert_eq!(findings(Some(20001)).len(), 2);
    }
}
