use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "ingress-without-tls",
        title: "Ingress serves hosts without TLS",
        severity: Severity::Medium,
        category: Category::Network,
        target: Target::Kinds(&["Ingress"]),
        finds: "Ingresses (`networking.k8s.io`, and the removed `extensions/v1beta1`) with no \
                `spec.tls` entry, and, when `spec.tls` is set, each `spec.rules[].host` that no \
                `spec.tls[].hosts` entry covers (exactly, or through a `*.` wildcard one label \
                deep). A `tls` entry without `hosts` is taken to cover every host. Ingresses \
                whose certificates come from the load balancer instead of a Secret are not \
                reported: AWS Load Balancer Controller (`alb.ingress.kubernetes.io/certificate-arn`, \
                or an HTTPS listener in `alb.ingress.kubernetes.io/listen-ports`) and GKE \
                (`networking.gke.io/managed-certificates`, `ingress.gcp.kubernetes.io/pre-shared-cert`).",
        why: "Without a certificate for a host the controller serves it over plain HTTP (or \
              with its default, untrusted certificate): credentials, session cookies and API \
              tokens cross the network in clear text and can be read or altered by anyone on \
              the path, including other tenants of a shared network.",
        remediation: "Add a `spec.tls` entry listing every host of the rules with the Secret \
                      that holds its certificate (cert-manager can issue and renew it), and \
                      redirect HTTP to HTTPS in the controller.",
        example: "spec:\n  tls:\n    - hosts:\n        - shop.example.com\n      secretName: shop-example-com-tls\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: web\n                port:\n                  number: 80\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls",
            "https://cert-manager.io/docs/usage/ingress/",
        ],
        controls: &[
            "hipaa-security:164.312(e)(1)",
            "hipaa-security:164.312(e)(2)(i)",
            "hipaa-security:164.312(e)(2)(ii)",
            "nist-800-53-r5:SC-8",
            "nist-800-53-r5:SC-8(1)",
            "pci-dss-4.0:4.2.1",
            "soc2:CC6.7",
        ],
        equivalents: &["kubescape:C-0263", "polaris:tlsSettingsMissing"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Ingress" || !matches!(obj.group(), "networking.k8s.io" | "extensions") {
        return;
    }
    if tls_from_load_balancer(obj) {
        return;
    }
    let tls: Vec<&Node> = obj
        .root
        .at("spec.tls")
        .map(Node::items)
        .unwrap_or_default()
        .filter(|t| t.as_map().is_some())
        .collect();
    if tls.is_empty() {
        out.object(
            "spec.tls",
            "Ingress has no spec.tls: its hosts are served over plain HTTP; add a tls entry \
             with the hosts and the Secret holding their certificate",
        );
        return;
    }
    let mut tls_hosts = Vec::new();
    for t in &tls {
        let hosts: Vec<&str> = t
            .get("hosts")
            .map(Node::items)
            .unwrap_or_default()
            .filter_map(Node::scalar_text)
            .collect();
        if hosts.is_empty() {
            // The controller's default host setting: assume it covers every host.
            return;
        }
        tls_hosts.extend(hosts.into_iter().map(str::to_ascii_lowercase));
    }
    for (i, rule) in obj
        .root
        .at("spec.rules")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
    {
        let Some((key, host)) = rule.get_entry("host") else {
            continue;
        };
        let Some(host) = host.scalar_text().filter(|h| !h.is_empty()) else {
            continue;
        };
        if tls_hosts.iter().any(|t| covers(t, &host.to_ascii_lowercase())) {
            continue;
        }
        out.object_at(
            key.pos,
            &format!("spec.rules[{i}].host"),
            format!(
                "host \"{host}\" is not listed in any spec.tls[].hosts: it is served without its \
                 certificate; add it to a tls entry"
            ),
        );
    }
}

/// Whether the load balancer, not a Secret, provides the certificates.
fn tls_from_load_balancer(obj: &Object) -> bool {
    let Some(annotations) = obj.metadata().and_then(|m| m.get("annotations")) else {
        return false;
    };
    let set = |key: &str| {
        annotations
            .get(key)
            .and_then(Node::scalar_text)
            .is_some_and(|v| !v.trim().is_empty())
    };
    set("alb.ingress.kubernetes.io/certificate-arn")
        || set("networking.gke.io/managed-certificates")
        || set("ingress.gcp.kubernetes.io/pre-shared-cert")
        || annotations
            .get("alb.ingress.kubernetes.io/listen-ports")
            .and_then(Node::scalar_text)
            .is_some_and(|v| v.to_ascii_uppercase().contains("HTTPS"))
}

/// Whether a TLS host (`shop.example.com`, `*.example.com`) covers a rule host; a wildcard
/// covers exactly one label.
fn covers(tls: &str, host: &str) -> bool {
    if tls == host {
        return true;
    }
    match tls.strip_prefix("*.") {
        Some(domain) if !host.starts_with("*.") => host
            .strip_suffix(domain)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("shop.example.com", "shop.example.com"));
        assert!(covers("*.example.com", "shop.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("*.example.com", "a.shop.example.com"));
        assert!(!covers("*.example.com", "shopexample.com"));
        assert!(covers("*.example.com", "*.example.com"));
        assert!(!covers("*.example.com", "*.shop.example.com"));
        assert!(!covers("shop.example.com", "*.example.com"));
    }
}
