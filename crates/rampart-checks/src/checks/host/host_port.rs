use rampart_model::{Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "host-port",
        title: "Container binds a port on the node (hostPort)",
        severity: Severity::Medium,
        category: Category::HostAccess,
        finds: "Container ports (`ports[].hostPort`, in init, regular and ephemeral containers) \
                with a non-zero `hostPort`. Pods with `hostNetwork: true` use the node's ports \
                without `hostPort` and are reported by `host-network`.",
        why: "A hostPort publishes the container on the node's own IP address, outside the \
              Service abstraction: whoever can reach the node reaches the container directly, \
              bypassing the ingress or load balancer in front of the workload and the TLS, \
              authentication and firewall rules set up there. It also limits the workload to one \
              pod per node and port, and lets a workload claim a port a node service expects.",
        remediation: "Remove `hostPort` and expose the container through a Service (ClusterIP \
                      behind an Ingress or Gateway, or a LoadBalancer or NodePort Service when it \
                      must be reachable from outside). Only node-level networking components \
                      should bind host ports, under a documented exception.",
        example: "ports:\n  - name: http\n    containerPort: 8080\n    protocol: TCP\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "https://kubernetes.io/docs/concepts/configuration/overview/#services",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.12",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-7",
            "nist-800-53-r5:SC-7",
            "nsa-cisa-1.2:pod-security.host-network",
            "nsa-cisa-1.2:network.limit-connectivity",
            "pss-baseline:hostPorts",
            "soc2:CC6.6",
        ],
        equivalents: &["trivy:KSV024", "checkov:CKV_K8S_26", "polaris:hostPortSet"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        for (i, port) in c
            .node
            .get("ports")
            .map(Node::items)
            .unwrap_or_default()
            .enumerate()
        {
            let Some((key, value)) = port.get_entry("hostPort") else {
                continue;
            };
            let Some(host_port) = value.as_i64().filter(|p| *p != 0) else {
                continue;
            };
            let protocol = port.get("protocol").and_then(Node::scalar_text).unwrap_or("TCP");
            out.container_at(
                c,
                key.pos,
                &format!("ports[{i}].hostPort"),
                format!("{} binds host port {host_port}/{protocol} on the node", label(c)),
            );
        }
    });
}
