use rampart_model::{Node, Object, Pos};

use crate::inventory::namespace_of;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "ingress-missing-service",
        title: "Ingress backend names a Service or port that is not in the scan",
        severity: Severity::Medium,
        category: Category::Reliability,
        target: Target::Kinds(&["Ingress"]),
        finds: "Ingress backends (`spec.defaultBackend` and \
                `spec.rules[].http.paths[].backend` with `service.name` and `service.port.number` \
                or `service.port.name`; in `extensions/v1beta1` and `networking.k8s.io/v1beta1` \
                also `spec.backend` with `serviceName` and `servicePort`) whose Service is not \
                among the scanned Services (core v1) of the Ingress's namespace, or whose \
                Service has no port with that number (`spec.ports[].port`) or name. Only the \
                scanned objects are considered: nothing is reported when the scan holds no \
                Service in that namespace, or holds custom resources there whose operators may \
                create Services. Resource backends are not checked.",
        why: "A backend whose Service or port does not exist answers every request of its \
              host and path with 503 errors from the ingress controller. It is usually a \
              renamed Service, a port renamed in the Service but not in the Ingress, or an \
              Ingress left behind by a removed component.",
        remediation: "Point the backend at an existing Service of the same namespace and at \
                      one of its `port` numbers or port names (not the container's \
                      `targetPort`).",
        example: "backend:\n  service:\n    name: web\n    port:\n      name: http\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource",
            "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressBackend",
        ],
        equivalents: &[
            "kube-linter:dangling-ingress",
            "kube-score:ingress-targets-service",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// The port a backend asks for.
#[derive(Clone, Copy)]
enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

/// A Service backend of an Ingress.
struct Backend<'a> {
    /// Dotted path of the backend.
    path: String,
    service: &'a str,
    service_key: Pos,
    service_field: &'static str,
    port: Option<(PortRef<'a>, Pos, &'static str)>,
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Ingress" || !matches!(obj.group(), "networking.k8s.io" | "extensions") {
        return;
    }
    let ns = namespace_of(obj);
    let has_services = ctx
        .inventory
        .in_namespace("Service", ns)
        .iter()
        .any(|&i| ctx.objects[i].group().is_empty());
    if !has_services || ctx.inventory.has_custom_resources(ns) {
        return;
    }
    for b in backends(obj) {
        let Some(service) = find_service(ctx, ns, b.service) else {
            out.object_at(
                b.service_key,
                &format!("{}.{}", b.path, b.service_field),
                format!(
                    "backend Service \"{}\" is not among the scanned Services of namespace \
                     \"{ns}\": requests to this backend would fail; fix the name or add the \
                     Service",
                    b.service
                ),
            );
            continue;
        };
        let Some((port, pos, field)) = b.port else {
            continue;
        };
        let ports: Vec<&Node> = service
            .root
            .at("spec.ports")
            .map(Node::items)
            .unwrap_or_default()
            .collect();
        if ports.is_empty() {
            // ExternalName Services may list no ports.
            continue;
        }
        let found = ports.iter().any(|p| match port {
            PortRef::Number(n) => p.get("port").and_then(Node::as_i64) == Some(n),
            PortRef::Name(name) => p.get("name").and_then(Node::scalar_text) == Some(name),
        });
        if found {
            continue;
        }
        let wanted = match port {
            PortRef::Number(n) => format!("port {n}"),
            PortRef::Name(name) => format!("port named \"{name}\""),
        };
        out.object_at(
            pos,
            &format!("{}.{field}", b.path),
            format!(
                "Service \"{}\" has no {wanted} (it exposes {}): requests to this backend would \
                 fail; use one of its ports",
                b.service,
                describe_ports(&ports)
            ),
        );
    }
}

/// The core Service named `name` in the namespace.
fn find_service<'a>(ctx: &Ctx<'a>, ns: &str, name: &str) -> Option<&'a Object> {
    let first = &ctx.objects[ctx.inventory.find("Service", ns, name)?];
    if first.group().is_empty() {
        return Some(first);
    }
    // A Service of another API group (Knative, ...) with the same name came first.
    ctx.inventory
        .in_namespace("Service", ns)
        .iter()
        .map(|&i| &ctx.objects[i])
        .find(|s| s.group().is_empty() && s.name == name)
}

/// `80 "http", 443`.
fn describe_ports(ports: &[&Node]) -> String {
    ports
        .iter()
        .filter_map(|p| {
            let number = p.get("port").and_then(Node::scalar_text)?;
            Some(match p.get("name").and_then(Node::scalar_text) {
                Some(name) if !name.is_empty() => format!("{number} \"{name}\""),
                _ => number.to_string(),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every Service backend of the Ingress, in both the v1 and the v1beta1 shapes.
fn backends(obj: &Object) -> Vec<Backend<'_>> {
    let mut out = Vec::new();
    for field in ["defaultBackend", "backend"] {
        if let Some(node) = obj.root.at("spec").and_then(|s| s.get(field)) {
            out.extend(backend(node, format!("spec.{field}")));
        }
    }
    for (i, rule) in obj
        .root
        .at("spec.rules")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
    {
        for (j, path) in rule
            .at("http.paths")
            .map(Node::items)
            .unwrap_or_default()
            .enumerate()
        {
            if let Some(node) = path.get("backend") {
                out.extend(backend(node, format!("spec.rules[{i}].http.paths[{j}].backend")));
            }
        }
    }
    out
}

fn backend(node: &Node, path: String) -> Option<Backend<'_>> {
    if let Some(service) = node.get("service") {
        // networking.k8s.io/v1
        let (key, name) = service.get_entry("name")?;
        let port_node = service.get("port");
        let port = port_node
            .and_then(|p| p.get_entry("number"))
            .and_then(|(k, v)| Some((PortRef::Number(v.as_i64()?), k.pos, "service.port.number")))
            .or_else(|| {
                port_node
                    .and_then(|p| p.get_entry("name"))
                    .and_then(|(k, v)| Some((PortRef::Name(v.scalar_text()?), k.pos, "service.port.name")))
            });
        return Some(Backend {
            path,
            service: name.scalar_text().filter(|n| !n.is_empty())?,
            service_key: key.pos,
            service_field: "service.name",
            port,
        });
    }
    // extensions/v1beta1 and networking.k8s.io/v1beta1
    let (key, name) = node.get_entry("serviceName")?;
    let port = node.get_entry("servicePort").and_then(|(k, v)| {
        let port = match v.as_i64() {
            Some(n) => PortRef::Number(n),
            None => PortRef::Name(v.as_str()?),
        };
        Some((port, k.pos, "servicePort"))
    });
    Some(Backend {
        path,
        service: name.scalar_text().filter(|n| !n.is_empty())?,
        service_key: key.pos,
        service_field: "serviceName",
        port,
    })
}
