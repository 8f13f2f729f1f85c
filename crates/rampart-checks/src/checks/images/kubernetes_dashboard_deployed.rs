use rampart_model::{Node, Object, PodSpec};

use super::image_registry_not_allowed::{ImageRef, parse_image};
use crate::util::label;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "kubernetes-dashboard-deployed",
        title: "Kubernetes Dashboard is deployed",
        severity: Severity::Low,
        category: Category::Network,
        finds: "Workloads running the Kubernetes Dashboard: a container (init, regular or \
                ephemeral) whose image is one of the Dashboard's (a repository under \
                `kubernetesui/` whose name starts with `dashboard`, such as \
                `kubernetesui/dashboard`, `kubernetesui/dashboard-api` or \
                `kubernetesui/dashboard-web`, or a repository named `kubernetes-dashboard...`, \
                such as the old `k8s.gcr.io/kubernetes-dashboard-amd64`), on any registry; or \
                a pod template (or Pod) labelled `k8s-app`, `app` or \
                `app.kubernetes.io/name` with the value `kubernetes-dashboard`. The \
                Dashboard's metrics scraper (`kubernetesui/metrics-scraper`, \
                `kubernetesui/dashboard-metrics-scraper`) is not reported.",
        why: "The Dashboard is a web UI that acts on the cluster with the rights of its own \
              ServiceAccount or of the token users paste into it. It is a favourite target: \
              installations exposed through a Service or Ingress, with login skipping \
              enabled or a ServiceAccount bound to cluster-admin, have been taken over to \
              run crypto-miners, and every Dashboard adds an authenticated web application \
              with broad reach to the cluster's attack surface.",
        remediation: "Prefer `kubectl` or a hardened, audited management tool. If the \
                      Dashboard is needed, run a current release, keep it reachable only \
                      through `kubectl proxy`/port-forwarding or an authenticating proxy, \
                      never enable skipping the login, and never bind its ServiceAccount to \
                      cluster-admin; then suppress this finding with the reason.",
        example: "# reach it without exposing it:\nkubectl -n kubernetes-dashboard port-forward svc/kubernetes-dashboard-kong-proxy 8443:443\n",
        references: &[
            "https://kubernetes.io/docs/tasks/access-application-cluster/web-ui-dashboard/",
            "https://github.com/kubernetes/dashboard/blob/master/docs/user/access-control/README.md",
        ],
        equivalents: &["checkov:CKV_K8S_33"],
        controls: &[
            "mitre-attack-containers:T1133",
            "mitre-attack-containers:T1610",
            "mitre-attack-containers:T1613",
            "nist-800-190:4.3.2",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:upgrading.remove-unused",
            "pci-dss-4.0:2.2.4",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

const LABEL_KEYS: &[&str] = &["k8s-app", "app", "app.kubernetes.io/name"];

fn is_dashboard(image: &ImageRef<'_>) -> bool {
    let name = image.name();
    let under_kubernetesui = image
        .repository
        .split('/')
        .rev()
        .nth(1)
        .is_some_and(|p| p.eq_ignore_ascii_case("kubernetesui"));
    let dashboard =
        (under_kubernetesui && name.starts_with("dashboard")) || name.starts_with("kubernetes-dashboard");
    dashboard && !name.ends_with("metrics-scraper")
}

fn dashboard_label(metadata: Option<&Node>) -> Option<&str> {
    let labels = metadata?.get("labels")?;
    LABEL_KEYS
        .iter()
        .copied()
        .find(|k| labels.get(k).and_then(Node::scalar_text) == Some("kubernetes-dashboard"))
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let mut found = false;
    for c in pod.containers() {
        let Some(text) = c.node.get("image").and_then(Node::scalar_text).map(str::trim) else {
            continue;
        };
        if parse_image(text).is_some_and(|i| is_dashboard(&i)) {
            found = true;
            out.container(
                &c,
                "image",
                format!("{} runs the Kubernetes Dashboard (image \"{text}\")", label(&c)),
            );
        }
    }
    if found {
        return;
    }
    if let Some(key) = dashboard_label(pod.metadata) {
        let base = pod
            .path
            .strip_suffix(".spec")
            .map_or_else(|| "metadata".to_string(), |t| format!("{t}.metadata"));
        let pos = pod
            .metadata
            .and_then(|m| m.get("labels"))
            .and_then(|l| l.get_entry(key))
            .map_or_else(|| obj.root.locate(&format!("{base}.labels")), |(k, _)| k.pos);
        out.object_at(
            pos,
            &format!("{base}.labels[\"{key}\"]"),
            format!("pod is labelled {key}: kubernetes-dashboard, the Kubernetes Dashboard"),
        );
    }
}
