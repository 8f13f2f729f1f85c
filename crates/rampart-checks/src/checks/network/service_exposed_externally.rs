use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "service-exposed-externally",
        title: "Service is exposed outside the cluster",
        severity: Severity::Medium,
        category: Category::Network,
        target: Target::Kinds(&["Service"]),
        finds: "Services (core v1) whose `spec.type` is `NodePort` or `LoadBalancer`. \
                LoadBalancers restricted with `loadBalancerSourceRanges` or made internal \
                with a cloud provider annotation are reported too: review them and \
                suppress with a reason.",
        why: "A NodePort Service opens its port on every node of the cluster, reachable by \
              anything that can reach a node's address; a LoadBalancer Service \
              additionally asks the cloud provider for an address that is usually public. \
              Either way the backend pods become reachable from outside the cluster, \
              bypassing the ingress layer where TLS, authentication, rate limiting and a web \
              application firewall are normally enforced, and often without anyone noticing \
              that an internal service went public.",
        remediation: "Use `type: ClusterIP` and publish HTTP services through an Ingress or \
                      Gateway. When a Service must be reachable from outside, prefer an \
                      internal load balancer, restrict `loadBalancerSourceRanges` to known \
                      networks, and document the exception.",
        example: "spec:\n  type: ClusterIP\n  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: 8080\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
            "https://kubernetes.io/docs/concepts/services-networking/ingress/",
        ],
        controls: &[
            "mitre-attack-containers:T1133",
            "nist-800-53-r5:SC-7",
            "nsa-cisa-1.2:network.limit-connectivity",
            "pci-dss-4.0:1.2.5",
            "pci-dss-4.0:1.4.2",
            "soc2:CC6.6",
        ],
        equivalents: &["kube-linter:exposed-services"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    let ty = obj.root.at("spec.type").and_then(Node::as_str);
    if let Some(ty @ ("NodePort" | "LoadBalancer")) = ty {
        out.object(
            "spec.type",
            format!("service is exposed outside the cluster with type {ty}"),
        );
    }
}
