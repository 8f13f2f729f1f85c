use rampart_model::{Node, Object, PodSpec};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "host-aliases",
        title: "Pod overrides name resolution with hostAliases",
        severity: Severity::Low,
        category: Category::Hygiene,
        finds: "Pod specs (of every workload kind) with a non-empty `hostAliases` list, whose \
                entries the kubelet writes into the pod's `/etc/hosts`. An empty list or a \
                null value is not reported.",
        why: "Entries in `/etc/hosts` win over DNS for every container of the pod, silently: a \
              manifest can point a registry, an API endpoint or a database name at another \
              address, bypassing the DNS records and the DNS monitoring that normally cover \
              name resolution, which is how traffic gets redirected unnoticed. Hard-coded \
              addresses also go stale when the target moves, and the pod keeps talking to the \
              old address.",
        remediation: "Remove `hostAliases` and publish the names in DNS (a Service, an \
                      ExternalName Service, or the cluster's DNS configuration). Where an \
                      override is unavoidable, document it and suppress this finding with the \
                      reason.",
        example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: legacy-db\nspec:\n  type: ExternalName\n  externalName: db.internal.example.com\n",
        references: &[
            "https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/",
            "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/",
        ],
        equivalents: &["trivy:KSV007"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let Some((key, aliases)) = pod.node.get_entry("hostAliases") else {
        return;
    };
    let entries: Vec<String> = aliases
        .items()
        .map(|a| {
            let ip = a.get("ip").and_then(Node::scalar_text).unwrap_or("?");
            let names: Vec<&str> = a
                .get("hostnames")
                .map(Node::items)
                .unwrap_or_default()
                .filter_map(Node::scalar_text)
                .collect();
            format!("{} -> {ip}", names.join(", "))
        })
        .collect();
    if entries.is_empty() {
        return;
    }
    out.object_at(
        key.pos,
        &format!("{}.hostAliases", pod.path),
        format!(
            "pod overrides name resolution in /etc/hosts ({}); publish the names in DNS instead",
            entries.join("; ")
        ),
    );
}
