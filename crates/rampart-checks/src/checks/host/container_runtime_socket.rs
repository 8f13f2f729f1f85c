use rampart_model::{Object, PodSpec};

use crate::util::{host_path_volumes, normalize_host_path, path_within};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "container-runtime-socket",
        title: "Pod mounts the container runtime socket",
        severity: Severity::Critical,
        category: Category::HostAccess,
        finds: "`hostPath` volumes whose `path` is a container runtime socket of the `sockets` \
                parameter (Docker, containerd, CRI-O, cri-dockerd, Podman, k3s) or a directory \
                containing one, such as `/var/run`, `/run`, `/run/containerd` or `/`. `/var/run` \
                and `/run` are treated as the same directory (one is a symbolic link to the other \
                on current distributions). Paths are compared after removing repeated and \
                trailing slashes and resolving `.` and `..` segments.",
        why: "Whoever can talk to the runtime socket controls every container on the node: it can \
              start a new privileged container with the node's root filesystem mounted, exec into \
              other pods' containers and read their secrets, or stop them. Mounting the socket \
              into a pod turns any compromise of that pod into root on the node, and from there \
              into the credentials of everything scheduled on it.",
        remediation: "Remove the volume. Build images with a daemonless builder (BuildKit \
                      rootless, Kaniko, Buildah) instead of the node's Docker; read container \
                      metadata from the Kubernetes API or the kubelet's read-only endpoints. \
                      Monitoring or security agents that need the runtime API must run under a \
                      reviewed, documented exception.",
        example: "# instead of mounting /var/run/docker.sock to build images:\ncontainers:\n  - name: build\n    image: moby/buildkit:rootless\n",
        references: &[
            "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.11",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1609",
            "mitre-attack-containers:T1610",
            "mitre-attack-containers:T1543.005",
            "mitre-attack-containers:T1611",
            "mitre-attack-containers:T1612",
            "nist-800-190:4.4.3",
            "nist-800-190:4.5.5",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:SC-39",
            "nsa-cisa-1.2:pod-security.host-path",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:hostPathVolumes",
            "soc2:CC6.1",
        ],
        equivalents: &[
            "trivy:KSV006",
            "checkov:CKV_K8S_27",
            "kube-linter:docker-sock",
            "kube-linter:container-runtime-sock",
        ],
        params: &[ParamSpec {
            name: "sockets",
            description: "Container runtime sockets. A hostPath equal to one of them or to a \
                          directory containing one is reported; `/var/run/...` and `/run/...` \
                          are interchangeable.",
            default: ParamDefault::Strings(&[
                "/var/run/docker.sock",
                "/var/run/docker/containerd/containerd.sock",
                "/run/containerd/containerd.sock",
                "/run/k3s/containerd/containerd.sock",
                "/var/run/crio/crio.sock",
                "/var/run/cri-dockerd.sock",
                "/var/run/dockershim.sock",
                "/run/podman/podman.sock",
            ]),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// The socket paths to look for: each configured socket in its `/var/run` and `/run` forms.
fn socket_paths(configured: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for s in configured {
        let s = normalize_host_path(s);
        let other = if let Some(rest) = s.strip_prefix("/var/run/") {
            Some(format!("/run/{rest}"))
        } else {
            s.strip_prefix("/run/").map(|rest| format!("/var/run/{rest}"))
        };
        out.push(s);
        out.extend(other);
    }
    out
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    // Normalized once per object, and only for an object with a hostPath volume.
    let mut sockets: Option<Vec<String>> = None;
    for v in host_path_volumes(&pod) {
        let Some((raw, pos)) = v.path else { continue };
        if raw.is_empty() {
            continue;
        }
        let sockets = sockets.get_or_insert_with(|| socket_paths(ctx.params.strings("sockets")));
        let path = normalize_host_path(raw);
        let name = v.name;
        let msg = if let Some(s) = sockets.iter().find(|s| **s == path) {
            if s == raw {
                format!("volume \"{name}\" mounts the container runtime socket {s}")
            } else {
                format!(
                    "volume \"{name}\" mounts the host path \"{raw}\", which is the container runtime socket {s}"
                )
            }
        } else if let Some(s) = sockets.iter().find(|s| path_within(s, &path)) {
            format!(
                "volume \"{name}\" mounts the host path \"{raw}\", which contains the container runtime socket {s}"
            )
        } else {
            continue;
        };
        out.object_at(pos, &format!("{}.path", v.field), msg);
    }
}

#[cfg(test)]
mod tests {
    use super::socket_paths;

    #[test]
    fn both_run_forms() {
        let s = socket_paths(&[
            "/var/run/docker.sock".into(),
            "/run/crio/crio.sock/".into(),
            "/opt/x.sock".into(),
        ]);
        assert_eq!(
            s,
            [
                "/var/run/docker.sock",
                "/run/docker.sock",
                "/run/crio/crio.sock",
                "/var/run/crio/crio.sock",
                "/opt/x.sock"
            ]
        );
    }
}
