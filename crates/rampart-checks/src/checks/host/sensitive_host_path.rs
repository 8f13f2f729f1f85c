use rampart_model::{Object, PodSpec};

use crate::util::{host_path_volumes, normalize_host_path, path_within};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "sensitive-host-path",
        title: "Pod mounts a sensitive directory of the node",
        severity: Severity::High,
        category: Category::HostAccess,
        finds: "`hostPath` volumes whose `path` is one of the directories of the `paths` parameter, \
                is inside one of them, or contains one of them (mounting `/var` exposes \
                `/var/lib/kubelet`). The entry `/` only matches the root itself. Paths are \
                compared after removing repeated and trailing slashes and resolving `.` and `..` \
                segments; symbolic links on the node are not resolved, so `/var/run` and `/run` \
                are both listed.",
        why: "These directories hold the node's identity and everything running on it: /etc has \
              the kubelet and static pod configuration and the host's users and SSH keys, \
              /var/lib/kubelet the service account tokens and Secret volumes of every pod on the \
              node, /etc/kubernetes the cluster certificates and kubeconfigs, /proc, /sys and /dev \
              the kernel's and devices' control files, /var/log other workloads' logs, /root and \
              /home administrators' credentials, and /var/run or /run the container runtime's \
              socket. Reading them leaks credentials; writing them (for example a static pod \
              manifest or a cron job) takes over the node.",
        remediation: "Do not mount these directories. Pass configuration with ConfigMaps and \
                      Secrets and talk to node services through the Kubernetes API. A node agent \
                      that needs one of them should mount the narrowest subdirectory with \
                      `readOnly: true` and run under a documented exception.",
        example: "volumes:\n  - name: app-config\n    configMap:\n      name: app-config\n",
        references: &[
            "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.11",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.5.5",
            "nist-800-53-r5:SC-4",
            "nsa-cisa-1.2:pod-security.host-path",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:hostPathVolumes",
            "soc2:CC6.1",
        ],
        equivalents: &["trivy:KSV121", "kube-linter:sensitive-host-mounts"],
        params: &[ParamSpec {
            name: "paths",
            description: "Sensitive host directories. A hostPath equal to one of them, inside one \
                          or containing one is reported; `/` only matches the root itself.",
            default: ParamDefault::Strings(&[
                "/",
                "/etc",
                "/proc",
                "/sys",
                "/boot",
                "/dev",
                "/root",
                "/home",
                "/var/run",
                "/run",
                "/var/lib/kubelet",
                "/var/lib/docker",
                "/var/lib/containerd",
                "/var/log",
                "/etc/kubernetes",
            ]),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// How a host path relates to a sensitive directory.
#[derive(Debug, PartialEq, Eq)]
enum Match<'a> {
    Is(&'a str),
    Inside(&'a str),
    Contains(&'a str),
}

/// The sensitive directory `path` (normalised) is, or is inside (the most specific one), or
/// else the first one it contains.
fn sensitive_match<'a>(path: &str, dirs: &'a [String]) -> Option<Match<'a>> {
    let inside = dirs
        .iter()
        .filter(|d| {
            if *d == "/" {
                path == "/"
            } else {
                path_within(path, d)
            }
        })
        .max_by_key(|d| d.len());
    if let Some(d) = inside {
        return Some(if d == path { Match::Is(d) } else { Match::Inside(d) });
    }
    dirs.iter()
        .find(|d| path_within(d, path))
        .map(|d| Match::Contains(d))
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    let dirs: Vec<String> = ctx
        .params
        .strings("paths")
        .iter()
        .map(|p| normalize_host_path(p))
        .collect();
    for v in host_path_volumes(&pod) {
        let Some((raw, pos)) = v.path else { continue };
        if raw.is_empty() {
            continue;
        }
        let path = normalize_host_path(raw);
        let Some(m) = sensitive_match(&path, &dirs) else {
            continue;
        };
        let name = v.name;
        let msg = match m {
            Match::Is(d) if d == raw => {
                format!("volume \"{name}\" mounts the sensitive host directory \"{raw}\"")
            }
            Match::Is(d) => format!(
                "volume \"{name}\" mounts the host path \"{raw}\", which is the sensitive directory {d}"
            ),
            Match::Inside(d) => {
                format!(
                    "volume \"{name}\" mounts the host path \"{raw}\", which is inside the sensitive directory {d}"
                )
            }
            Match::Contains(d) => {
                format!(
                    "volume \"{name}\" mounts the host path \"{raw}\", which contains the sensitive directory {d}"
                )
            }
        };
        out.object_at(pos, &format!("{}.path", v.field), msg);
    }
}

#[cfg(test)]
mod tests {
    use super::{Match, sensitive_match};
    use crate::util::{normalize_host_path, path_within};

    fn dirs() -> Vec<String> {
        ["/", "/etc", "/var/run", "/var/lib/kubelet", "/etc/kubernetes"]
            .iter()
            .map(|d| normalize_host_path(d))
            .collect()
    }

    #[test]
    fn normalises_like_the_kernel_would_lexically() {
        assert_eq!(normalize_host_path("/etc/"), "/etc");
        assert_eq!(normalize_host_path("//etc//kubernetes///"), "/etc/kubernetes");
        assert_eq!(normalize_host_path("/data/../etc/./ssl"), "/etc/ssl");
        assert_eq!(normalize_host_path("/../../etc"), "/etc");
        assert_eq!(normalize_host_path("/"), "/");
        assert_eq!(normalize_host_path("///"), "/");
        assert_eq!(normalize_host_path("/var/run/.."), "/var");
        assert_eq!(normalize_host_path("/etc.d"), "/etc.d");
    }

    #[test]
    fn within_is_segment_wise() {
        assert!(path_within("/etc/ssl", "/etc"));
        assert!(path_within("/etc", "/etc"));
        assert!(!path_within("/etcd", "/etc"));
        assert!(!path_within("/etc", "/etc/ssl"));
        assert!(path_within("/anything", "/"));
    }

    #[test]
    fn matches() {
        let d = dirs();
        let m = |p: &str| sensitive_match(&normalize_host_path(p), &d);
        assert_eq!(m("/"), Some(Match::Is("/")));
        assert_eq!(m("//"), Some(Match::Is("/")));
        assert_eq!(m("/etc/"), Some(Match::Is("/etc")));
        assert_eq!(m("/etc/kubernetes/pki"), Some(Match::Inside("/etc/kubernetes")));
        assert_eq!(m("/etc/ssl/certs"), Some(Match::Inside("/etc")));
        assert_eq!(m("/var/lib"), Some(Match::Contains("/var/lib/kubelet")));
        assert_eq!(m("/var"), Some(Match::Contains("/var/run")));
        assert_eq!(
            m("/data/../var/lib/kubelet/pods"),
            Some(Match::Inside("/var/lib/kubelet"))
        );
        assert_eq!(m("/etcd-data"), None);
        assert_eq!(m("/var/lib/postgres"), None);
        assert_eq!(m("/opt/app"), None);
    }

    #[test]
    fn root_entry_only_matches_root() {
        let d = vec!["/".to_string()];
        assert_eq!(sensitive_match("/srv/data", &d), None);
        assert_eq!(sensitive_match("/", &d), Some(Match::Is("/")));
    }
}
