use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "service-external-ips",
        title: "Service sets external IPs",
        severity: Severity::High,
        category: Category::Network,
        target: Target::Kinds(&["Service"]),
        finds: "Services (core v1) with a non-empty `spec.externalIPs` list.",
        why: "kube-proxy on every node captures traffic sent to a Service's external IPs \
              and forwards it to the Service's pods, and Kubernetes does not check that \
              whoever creates the Service owns those addresses. Anyone allowed to create or \
              edit a Service can therefore claim any IP, including another service's or an \
              external site's, and intercept the cluster's traffic to it: the \
              man-in-the-middle of CVE-2020-8554, which has no fix in Kubernetes itself.",
        remediation: "Remove `externalIPs` and expose the Service with a LoadBalancer or an \
                      Ingress. Clusters should also enable the `DenyServiceExternalIPs` \
                      admission plugin, or restrict the field with an admission policy, so \
                      that only administrators can set it.",
        example: "spec:\n  type: LoadBalancer\n  loadBalancerSourceRanges:\n    - 203.0.113.0/24\n  selector:\n    app: web\n  ports:\n    - port: 443\n      targetPort: 8443\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#external-ips",
            "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#denyserviceexternalips",
        ],
        controls: &[
            "nist-800-53-r5:SC-7",
            "nsa-cisa-1.2:network.limit-connectivity",
            "pci-dss-4.0:1.4.2",
            "soc2:CC6.6",
        ],
        equivalents: &["trivy:KSV108"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    let Some(ips) = obj.root.at("spec.externalIPs") else {
        return;
    };
    let listed: Vec<&str> = ips.items().filter_map(Node::scalar_text).collect();
    if listed.is_empty() {
        return;
    }
    let shown = if listed.len() > 3 {
        format!("{} and {} more", listed[..3].join(", "), listed.len() - 3)
    } else {
        listed.join(", ")
    };
    out.object("spec.externalIPs", format!("service claims external IPs {shown}"));
}
