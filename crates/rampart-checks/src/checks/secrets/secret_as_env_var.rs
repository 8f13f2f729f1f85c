use rampart_model::{Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "secret-as-env-var",
        title: "Secret is passed to a container as environment variables",
        severity: Severity::Low,
        category: Category::Secrets,
        enabled_by_default: false,
        finds: "Containers (init, regular, ephemeral) with an `env` entry whose \
                `valueFrom.secretKeyRef` is set, or an `envFrom` entry whose `secretRef` is \
                set. Literal secret values are reported by `secret-in-env`; Secrets mounted \
                as volumes are not reported.",
        why: "Environment variables are the least contained place for a secret: they are \
              inherited by every child process, printed by crash reporters, debug endpoints \
              and `env` dumps in logs, readable from `/proc/<pid>/environ` by processes of \
              the same user, and frozen at container start, so a rotated Secret is not \
              picked up until the pod restarts. A Secret mounted as a file has none of these \
              problems and is updated in place (unless mounted with `subPath`).",
        remediation: "Mount the Secret as a volume (read-only, with only the keys needed) and \
                      have the application read the file, for example through a `*_FILE` \
                      variable that holds its path.",
        example: "containers:\n  - name: api\n    env:\n      - name: DB_PASSWORD_FILE\n        value: /var/run/secrets/db/password\n    volumeMounts:\n      - name: db\n        mountPath: /var/run/secrets/db\n        readOnly: true\nvolumes:\n  - name: db\n    secret:\n      secretName: db-credentials\n      items:\n        - key: password\n          path: password\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
            "https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.4.1",
        ],
        equivalents: &[
            "checkov:CKV_K8S_35",
            "kube-linter:read-secret-from-env-var",
            "kubescape:C-0207",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn text<'a>(node: &'a Node, key: &str) -> &'a str {
    node.get(key).and_then(Node::scalar_text).unwrap_or("?")
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        for (i, item) in c.node.get("env").map(Node::items).unwrap_or_default().enumerate() {
            let Some((key, r)) = item.get("valueFrom").and_then(|v| v.get_entry("secretKeyRef")) else {
                continue;
            };
            if r.is_null() {
                continue;
            }
            out.container_at(
                c,
                key.pos,
                &format!("env[{i}].valueFrom.secretKeyRef"),
                format!(
                    "{} reads key \"{}\" of Secret \"{}\" into env var \"{}\"; mount the Secret as a file instead",
                    label(c),
                    text(r, "key"),
                    text(r, "name"),
                    text(item, "name")
                ),
            );
        }
        for (i, item) in c
            .node
            .get("envFrom")
            .map(Node::items)
            .unwrap_or_default()
            .enumerate()
        {
            let Some((key, r)) = item.get_entry("secretRef") else {
                continue;
            };
            if r.is_null() {
                continue;
            }
            out.container_at(
                c,
                key.pos,
                &format!("envFrom[{i}].secretRef"),
                format!(
                    "{} loads every key of Secret \"{}\" as env vars; mount the Secret as a file instead",
                    label(c),
                    text(r, "name")
                ),
            );
        }
    });
}
