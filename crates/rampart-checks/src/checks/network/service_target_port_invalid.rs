use rampart_model::{ContainerKind, Node, Object, PodSpec, ScalarType};

use crate::inventory::{LabelSelector, namespace_of};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "service-target-port-invalid",
        title: "Service port targets a port that is invalid or that its pods do not define",
        severity: Severity::Medium,
        category: Category::Reliability,
        target: Target::Kinds(&["Service"]),
        finds: "`spec.ports[].targetPort` of Services (core v1) that is a number outside \
                0-65535 (0 means \"same as `port`\"), a value that is neither a number nor a \
                string, a string that is not a valid port name (IANA_SVC_NAME: at most 15 \
                characters, lower-case letters, digits and single inner hyphens, at least one \
                letter; a quoted number such as `\"8080\"` is a name, not a number), or a valid \
                name that no container port of the pods the Service selects defines with the \
                Service port's protocol. The last comparison is made only when the scan holds \
                workloads whose pod templates the selector matches, considers the containers \
                and the sidecar init containers (`restartPolicy: Always`) of all of them, and \
                is skipped in namespaces holding custom resources whose operators may run more \
                pods; Services without a selector and ExternalName Services are not compared.",
        why: "The API server rejects a Service with an invalid target port, so the release \
              that carries it fails to apply. A port name that the selected pods do not \
              define is accepted but resolves to nothing: the endpoints controller leaves \
              those pods out of that port and clients get connection refused or time out, \
              typically after a container port was renamed or a chart changed its naming.",
        remediation: "Use a port number, or the exact `name` of the container port (with the \
                      same protocol) in every pod the Service selects; write numbers without \
                      quotes.",
        example: "# Service\nspec:\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n---\n# pod template\ncontainers:\n  - name: web\n    ports:\n      - name: http\n        containerPort: 8080\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports",
            "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec",
            "https://www.rfc-editor.org/rfc/rfc6335.html#section-5.1",
        ],
        equivalents: &["kube-linter:invalid-target-ports"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    let Some(spec) = obj.root.get("spec") else {
        return;
    };
    // Pods are only compared for Services whose endpoints Kubernetes manages.
    let compare = spec.get("type").and_then(Node::as_str) != Some("ExternalName")
        && spec.get("selector").is_some_and(|s| s.entries().next().is_some());
    // The selected workloads and their named ports, computed on first use.
    let mut selected: Option<(Vec<usize>, Vec<NamedPort<'_>>)> = None;
    for (i, port) in spec.get("ports").map(Node::items).unwrap_or_default().enumerate() {
        let Some((key, target)) = port.get_entry("targetPort") else {
            continue;
        };
        let path = format!("spec.ports[{i}].targetPort");
        let Some(scalar) = target.as_scalar() else {
            out.object_at(
                key.pos,
                &path,
                "targetPort is neither a port number nor a port name",
            );
            continue;
        };
        let name = match scalar.ty {
            ScalarType::Null => continue,
            ScalarType::Int(n) => {
                if !(0..=65535).contains(&n) {
                    out.object_at(
                        key.pos,
                        &path,
                        format!("targetPort {n} is not a port number (1-65535)"),
                    );
                }
                continue;
            }
            ScalarType::Float(_) | ScalarType::Bool(_) => {
                out.object_at(
                    key.pos,
                    &path,
                    format!(
                        "targetPort {} is neither a port number nor a port name",
                        scalar.text
                    ),
                );
                continue;
            }
            ScalarType::Str => scalar.text.as_str(),
        };
        if name.is_empty() {
            // Defaults to `port`, like 0.
            continue;
        }
        if let Err(why) = check_port_name(name) {
            let msg = if name.bytes().all(|b| b.is_ascii_digit()) {
                format!(
                    "targetPort \"{name}\" is a quoted number, which the API server reads as a \
                     port name and rejects (a name needs a letter); write {name} without quotes"
                )
            } else {
                format!("targetPort \"{name}\" is not a valid port name: it {why}")
            };
            out.object_at(key.pos, &path, msg);
            continue;
        }
        if !compare {
            continue;
        }
        let ns = namespace_of(obj);
        if ctx.inventory.has_custom_resources(ns) {
            continue;
        }
        let (workloads, ports) = selected.get_or_insert_with(|| {
            let selector = spec
                .get("selector")
                .map_or_else(LabelSelector::default, LabelSelector::from_map);
            let workloads = ctx.inventory.selected(ns, &selector);
            let mut ports: Vec<NamedPort<'_>> = workloads
                .iter()
                .flat_map(|&w| named_ports(&ctx.objects[w]))
                .collect();
            ports.sort_unstable();
            ports.dedup();
            (workloads, ports)
        });
        if workloads.is_empty() {
            continue;
        }
        let protocol = port.get("protocol").and_then(Node::scalar_text).unwrap_or("TCP");
        if ports.iter().any(|&(n, proto)| n == name && proto == protocol) {
            continue;
        }
        let other_protocol = ports.iter().find(|&&(n, _)| n == name).map(|&(_, proto)| proto);
        let pods = describe(ctx, workloads);
        let msg = match other_protocol {
            Some(proto) => format!(
                "targetPort \"{name}\" names a {proto} port in the pods of {pods}, but this \
                 Service port is {protocol}: no endpoint serves it"
            ),
            None => format!(
                "targetPort \"{name}\" is not the name of any container port in the pods of \
                 {pods}: no endpoint serves it; name the container port or use its number"
            ),
        };
        out.object_at(key.pos, &path, msg);
    }
}

/// A container port's name and protocol.
type NamedPort<'a> = (&'a str, &'a str);

/// The named container ports of a workload's pods, with their protocol: those of the
/// containers and of the sidecar init containers, as the endpoints controller looks them up.
fn named_ports(obj: &Object) -> Vec<NamedPort<'_>> {
    let Some(pod) = PodSpec::of(obj) else {
        return Vec::new();
    };
    pod.containers()
        .filter(|c| match c.kind {
            ContainerKind::Regular => true,
            ContainerKind::Init => c.node.get("restartPolicy").and_then(Node::scalar_text) == Some("Always"),
            ContainerKind::Ephemeral => false,
        })
        .flat_map(|c| c.node.get("ports").map(Node::items).unwrap_or_default())
        .filter_map(|p| {
            let name = p.get("name").and_then(Node::scalar_text)?;
            let proto = p.get("protocol").and_then(Node::scalar_text).unwrap_or("TCP");
            Some((name, proto))
        })
        .collect()
}

/// `Deployment "web"`, `Deployment "web" and 2 more`.
fn describe(ctx: &Ctx<'_>, workloads: &[usize]) -> String {
    let first = &ctx.objects[workloads[0]];
    let head = format!("{} \"{}\"", first.kind, first.name);
    match workloads.len() {
        1 => head,
        n => format!("{head} and {} more", n - 1),
    }
}

/// Validates an IANA_SVC_NAME as the API server does; the error completes "it ...".
fn check_port_name(name: &str) -> Result<(), &'static str> {
    if name.len() > 15 {
        return Err("is longer than 15 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("may contain only lower-case letters, digits and hyphens");
    }
    if name.contains("--") {
        return Err("contains consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("begins or ends with a hyphen");
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        return Err("has no letter");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_port_name;

    #[test]
    fn port_names() {
        assert!(check_port_name("http").is_ok());
        assert!(check_port_name("http-metrics").is_ok());
        assert!(check_port_name("h2c").is_ok());
        assert!(check_port_name("a").is_ok());
        assert!(check_port_name("abcdefghijklmno").is_ok());
        assert!(check_port_name("abcdefghijklmnop").is_err());
        assert!(check_port_name("HTTP").is_err());
        assert!(check_port_name("http_alt").is_err());
        assert!(check_port_name("http--alt").is_err());
        assert!(check_port_name("-http").is_err());
        assert!(check_port_name("http-").is_err());
        assert!(check_port_name("8080").is_err());
    }
}
