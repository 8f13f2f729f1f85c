use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "loadbalancer-source-ranges-missing",
        title: "LoadBalancer Service accepts traffic from any address",
        severity: Severity::Medium,
        category: Category::Network,
        target: Target::Kinds(&["Service"]),
        finds: "Services (core v1) of `type: LoadBalancer` that restrict clients neither with \
                `spec.loadBalancerSourceRanges` nor with the \
                `service.beta.kubernetes.io/load-balancer-source-ranges` annotation, and each \
                range in either that admits every address (a `/0` prefix such as `0.0.0.0/0` or \
                `::/0`). Internal load balancers are skipped: \
                `service.beta.kubernetes.io/aws-load-balancer-internal` (any value but \
                `false`), `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`, \
                AWS Load Balancer Controller Services (`aws-load-balancer-type: external` or \
                `nlb-ip`, or `loadBalancerClass: service.k8s.aws/nlb`) without an \
                `internet-facing` scheme, `networking.gke.io/load-balancer-type: Internal`, \
                `cloud.google.com/load-balancer-type: Internal`, \
                `service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"`, \
                `service.beta.kubernetes.io/oci-load-balancer-internal: \"true\"` and \
                `service.beta.kubernetes.io/openstack-internal-load-balancer: \"true\"`.",
        why: "Cloud load balancers usually get a public address. Without source ranges, \
              every host on the internet can reach the Service's pods directly, outside the \
              ingress layer and its authentication, rate limits and firewall: internal admin \
              interfaces, databases and message queues published this way are found by \
              internet-wide scanners within hours.",
        remediation: "List the client networks in `spec.loadBalancerSourceRanges` (office, VPN, \
                      partner or CDN ranges), or make the load balancer internal with the \
                      cloud provider's annotation. Public web traffic should go through an \
                      Ingress or Gateway; keep a documented exception for the Service of the \
                      ingress controller itself.",
        example: "spec:\n  type: LoadBalancer\n  loadBalancerSourceRanges:\n    - 203.0.113.0/24\n    - 198.51.100.17/32\n  selector:\n    app: web\n  ports:\n    - port: 443\n      targetPort: 8443\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer",
            "https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip",
            "https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer",
        ],
        controls: &[
            "mitre-attack-containers:T1133",
            "nist-800-53-r5:SC-7",
            "nsa-cisa-1.2:network.limit-connectivity",
            "pci-dss-4.0:1.4.2",
            "soc2:CC6.6",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// The annotation older clusters and some controllers read instead of the field.
const ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    let Some(spec) = obj.root.get("spec") else {
        return;
    };
    if spec.get("type").and_then(Node::as_str) != Some("LoadBalancer") {
        return;
    }
    let annotations = obj.metadata().and_then(|m| m.get("annotations"));
    let annotation = |key: &str| {
        annotations
            .and_then(|a| a.get(key))
            .and_then(Node::scalar_text)
            .map(str::trim)
    };
    if is_internal(&annotation, spec) {
        return;
    }
    let ranges: Vec<(usize, &Node)> = spec
        .get("loadBalancerSourceRanges")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
        .filter(|(_, n)| n.scalar_text().is_some_and(|t| !t.trim().is_empty()))
        .collect();
    if !ranges.is_empty() {
        for (i, n) in ranges {
            let range = n.scalar_text().unwrap_or("").trim();
            if admits_all(range) {
                out.object_at(
                    n.pos,
                    &format!("spec.loadBalancerSourceRanges[{i}]"),
                    format!(
                        "source range {range} admits every address: list only the client \
                         networks that need the load balancer"
                    ),
                );
            }
        }
        return;
    }
    if let Some(value) = annotation(ANNOTATION).filter(|v| !v.is_empty()) {
        if let Some(range) = value.split(',').map(str::trim).find(|r| admits_all(r)) {
            let pos = annotations
                .and_then(|a| a.get_entry(ANNOTATION))
                .map_or(obj.pos(), |(k, _)| k.pos);
            out.object_at(
                pos,
                &format!("metadata.annotations[\"{ANNOTATION}\"]"),
                format!(
                    "source range {range} admits every address: list only the client networks \
                     that need the load balancer"
                ),
            );
        }
        return;
    }
    out.object(
        "spec.loadBalancerSourceRanges",
        "LoadBalancer Service sets no loadBalancerSourceRanges: any address can reach it; list \
         the client networks or make the load balancer internal",
    );
}

/// Whether cloud provider annotations (or the AWS Load Balancer Controller's internal
/// default) make the load balancer internal.
fn is_internal<'a>(annotation: &impl Fn(&str) -> Option<&'a str>, spec: &Node) -> bool {
    let is = |key: &str, value: &str| annotation(key).is_some_and(|v| v.eq_ignore_ascii_case(value));
    if annotation("service.beta.kubernetes.io/aws-load-balancer-internal")
        .is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false"))
    {
        return true;
    }
    match annotation("service.beta.kubernetes.io/aws-load-balancer-scheme") {
        Some(scheme) => {
            if scheme.eq_ignore_ascii_case("internal") {
                return true;
            }
        }
        None => {
            // The AWS Load Balancer Controller provisions internal NLBs unless told
            // otherwise.
            let lbc = is("service.beta.kubernetes.io/aws-load-balancer-type", "external")
                || is("service.beta.kubernetes.io/aws-load-balancer-type", "nlb-ip")
                || spec.get("loadBalancerClass").and_then(Node::scalar_text) == Some("service.k8s.aws/nlb");
            if lbc {
                return true;
            }
        }
    }
    is("networking.gke.io/load-balancer-type", "Internal")
        || is("cloud.google.com/load-balancer-type", "Internal")
        || is("service.beta.kubernetes.io/azure-load-balancer-internal", "true")
        || is("service.beta.kubernetes.io/oci-load-balancer-internal", "true")
        || is(
            "service.beta.kubernetes.io/openstack-internal-load-balancer",
            "true",
        )
}

/// Whether a CIDR admits every address (`0.0.0.0/0`, `::/0`, or any `/0`).
fn admits_all(range: &str) -> bool {
    range
        .rsplit_once('/')
        .is_some_and(|(_, len)| len.trim().parse::<u32>() == Ok(0))
}

#[cfg(test)]
mod tests {
    use super::admits_all;

    #[test]
    fn open_ranges() {
        assert!(admits_all("0.0.0.0/0"));
        assert!(admits_all("::/0"));
        assert!(admits_all("10.0.0.0/0"));
        assert!(!admits_all("10.0.0.0/8"));
        assert!(!admits_all("203.0.113.7/32"));
        assert!(!admits_all("0.0.0.0"));
    }
}
