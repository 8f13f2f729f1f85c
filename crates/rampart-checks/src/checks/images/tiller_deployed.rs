use rampart_model::{Node, Object, PodSpec};

use super::image_registry_not_allowed::parse_image;
use crate::util::label;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "tiller-deployed",
        title: "Helm v2 Tiller is deployed",
        severity: Severity::High,
        category: Category::Privileges,
        finds: "Workloads running Tiller, the in-cluster server of Helm v2: a container (init, \
                regular or ephemeral) whose image repository is named `tiller` \
                (`gcr.io/kubernetes-helm/tiller:v2.17.0`, `ghcr.io/helm/tiller`; the registry \
                and tag do not matter, and names that merely contain the word, such as \
                `distiller`, are not reported), or a pod template (or Pod) labelled both \
                `app: helm` and `name: tiller`, the labels `helm init` gives it.",
        why: "Tiller runs with the rights to install anything (usually cluster-admin) and, as \
              deployed by `helm init`, serves its gRPC API on port 44134 without \
              authentication: any pod in the cluster that can reach it can install a \
              privileged workload or read every release's secrets, which turns any foothold \
              into cluster-admin. Helm v2 reached end of life in 2020 and receives no \
              security fixes.",
        remediation: "Migrate the releases to Helm v3 (the `helm-2to3` plugin does it), which \
                      has no in-cluster component and uses the caller's own credentials, then \
                      delete the Tiller Deployment, Service and ServiceAccount and its \
                      ClusterRoleBinding.",
        example: "# Helm v3 needs nothing in the cluster:\nhelm upgrade --install web ./chart --namespace shop\n",
        references: &[
            "https://helm.sh/docs/faq/changes_since_helm2/#removal-of-tiller",
            "https://helm.sh/docs/topics/v2_v3_migration/",
        ],
        equivalents: &["trivy:KSV102", "checkov:CKV_K8S_34"],
        controls: &[
            "mitre-attack-containers:T1133",
            "mitre-attack-containers:T1610",
            "nist-800-190:4.3.1",
            "nist-800-190:4.3.2",
            "nist-800-53-r5:AC-3",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:upgrading.remove-unused",
            "pci-dss-4.0:2.2.4",
            "soc2:CC6.1",
            "soc2:CC6.8",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn labelled_tiller(metadata: Option<&Node>) -> bool {
    let labels = metadata.and_then(|m| m.get("labels"));
    let value = |k: &str| labels.and_then(|l| l.get(k)).and_then(Node::scalar_text);
    value("app") == Some("helm") && value("name") == Some("tiller")
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let mut found = false;
    for c in pod.containers() {
        let Some(text) = c.node.get("image").and_then(Node::scalar_text).map(str::trim) else {
            continue;
        };
        if parse_image(text).is_some_and(|i| i.name() == "tiller") {
            found = true;
            out.container(
                &c,
                "image",
                format!("{} runs Helm v2 Tiller (image \"{text}\")", label(&c)),
            );
        }
    }
    if found {
        return;
    }
    let template_labels = pod.path.strip_suffix(".spec").map_or_else(
        || "metadata.labels".to_string(),
        |t| format!("{t}.metadata.labels"),
    );
    if labelled_tiller(pod.metadata) {
        out.object(
            &template_labels,
            "pod is labelled app: helm, name: tiller, the labels of Helm v2 Tiller",
        );
    } else if labelled_tiller(obj.metadata()) {
        out.object(
            "metadata.labels",
            "workload is labelled app: helm, name: tiller, the labels of Helm v2 Tiller",
        );
    }
}
