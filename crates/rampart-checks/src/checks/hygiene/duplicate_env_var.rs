use std::collections::HashMap;

use rampart_model::{Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "duplicate-env-var",
        title: "Environment variable is defined twice in a container",
        severity: Severity::Low,
        category: Category::Hygiene,
        finds: "`env` entries of any container (init, regular, ephemeral) whose `name` was \
                already used by an earlier entry of the same container's `env` (names are \
                compared exactly: they are case-sensitive). Each repeated entry is reported at \
                its `name`, with the index of the first one. Variables from `envFrom` are not \
                compared: `env` overriding them is the documented behaviour.",
        why: "When a name appears twice, the container gets only the last value, silently: the \
              earlier entry looks effective to a reviewer but is dead, which is how a \
              hardened setting (`TLS_VERIFY=true`) gets overridden by a copy-pasted line \
              below it. Tools that merge `env` by name (`kubectl apply` patches, Helm \
              upgrades, kustomize) may also keep, drop or reorder the duplicates differently \
              from what the file shows.",
        remediation: "Keep one entry per name, with the intended value, and remove the others.",
        example: "env:\n  - name: LOG_LEVEL\n    value: info\n  - name: TLS_VERIFY\n    value: \"true\"\n",
        references: &[
            "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/",
        ],
        equivalents: &[
            "kube-linter:duplicate-env-var",
            "kube-score:environment-variable-key-duplication",
            "kubescape:C-0295",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, item) in c.node.get("env").map(Node::items).unwrap_or_default().enumerate() {
            let Some((key, name)) = item
                .get_entry("name")
                .and_then(|(k, v)| Some((k, v.scalar_text()?)))
            else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            match first.get(name) {
                None => {
                    first.insert(name, i);
                }
                Some(&j) => out.container_at(
                    c,
                    key.pos,
                    &format!("env[{i}].name"),
                    format!(
                        "{} defines env var \"{name}\" again (first at env[{j}]); only the last value is used, remove the duplicate",
                        label(c)
                    ),
                ),
            }
        }
    });
}
