use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "ingress-nginx-snippet-annotation",
        title: "Ingress injects raw NGINX configuration with a snippet annotation",
        severity: Severity::High,
        category: Category::Network,
        target: Target::Kinds(&["Ingress"]),
        finds: "Ingresses (`networking.k8s.io`, and the removed `extensions/v1beta1`) with a \
                non-empty snippet annotation: ingress-nginx's \
                `nginx.ingress.kubernetes.io/configuration-snippet`, `server-snippet`, \
                `auth-snippet`, `stream-snippet` and `modsecurity-snippet`, F5 NGINX Ingress \
                Controller's `nginx.org/server-snippets` and `nginx.org/location-snippets`, and \
                any other annotation whose name ends in `-snippet` or `-snippets` under a prefix \
                containing `nginx` (a controller started with a custom `--annotations-prefix`) \
                or the legacy `ingress.kubernetes.io` prefix.",
        why: "A snippet is pasted verbatim into the configuration of the shared ingress \
              controller, whose service account can usually read every Secret in the cluster. \
              Whoever can edit one Ingress can therefore make NGINX serve the controller's \
              token, other tenants' TLS keys or any file of the controller pod \
              (CVE-2021-25742), run Lua code in it, or change how other hosts are routed. \
              The 2025 \"IngressNightmare\" advisories (CVE-2025-1097, CVE-2025-1098 and \
              CVE-2025-24514, chained with CVE-2025-1974) showed the same path from Ingress \
              annotations into the NGINX configuration ending in code execution in the \
              controller.",
        remediation: "Replace the snippet with the controller's dedicated annotations (headers, \
                      rewrites, authentication, rate limits) or with global settings in the \
                      controller's ConfigMap owned by the cluster administrators, and keep \
                      `allow-snippet-annotations` off (the default since ingress-nginx 1.9). \
                      When a snippet is unavoidable, restrict who may edit Ingresses and \
                      enable the controller's annotation validation.",
        example: "metadata:\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-body-size: 8m\n    nginx.ingress.kubernetes.io/limit-rps: \"20\"\n",
        references: &[
            "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/",
            "https://github.com/kubernetes/ingress-nginx/issues/7837",
            "https://github.com/kubernetes/kubernetes/issues/131009",
            "https://docs.nginx.com/nginx-ingress-controller/configuration/ingress-resources/advanced-configuration-with-snippets/",
        ],
        controls: &[
            "mitre-attack-containers:T1552.007",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-3",
            "nist-800-53-r5:CM-6",
            "pci-dss-4.0:2.2.6",
            "soc2:CC6.1",
        ],
        equivalents: &["checkov:CKV_K8S_153"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Ingress" || !matches!(obj.group(), "networking.k8s.io" | "extensions") {
        return;
    }
    let Some(annotations) = obj.metadata().and_then(|m| m.get("annotations")) else {
        return;
    };
    for (key, value) in annotations.entries() {
        if !is_snippet(&key.name) {
            continue;
        }
        if value.scalar_text().is_none_or(|v| v.trim().is_empty()) {
            continue;
        }
        out.object_at(
            key.pos,
            &format!("metadata.annotations[\"{}\"]", key.name),
            format!(
                "annotation \"{}\" pastes raw configuration into the shared NGINX ingress \
                 controller, which can expose its Secrets to whoever edits this Ingress; use \
                 dedicated annotations instead",
                key.name
            ),
        );
    }
}

fn is_snippet(key: &str) -> bool {
    let Some((prefix, name)) = key.rsplit_once('/') else {
        return false;
    };
    (name.ends_with("-snippet") || name.ends_with("-snippets"))
        && (prefix.contains("nginx") || prefix == "ingress.kubernetes.io")
}

#[cfg(test)]
mod tests {
    use super::is_snippet;

    #[test]
    fn snippet_keys() {
        assert!(is_snippet("nginx.ingress.kubernetes.io/configuration-snippet"));
        assert!(is_snippet("nginx.ingress.kubernetes.io/server-snippet"));
        assert!(is_snippet("nginx.org/location-snippets"));
        assert!(is_snippet("custom.nginx.example.com/server-snippet"));
        assert!(is_snippet("ingress.kubernetes.io/configuration-snippet"));
        assert!(!is_snippet("nginx.ingress.kubernetes.io/rewrite-target"));
        assert!(!is_snippet("example.com/server-snippet"));
        assert!(!is_snippet("server-snippet"));
        assert!(!is_snippet("nginx.ingress.kubernetes.io/snippet-note"));
    }
}
