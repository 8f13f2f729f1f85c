use rampart_model::Object;

use crate::util::{capabilities_indexed, for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "dangerous-capabilities",
        title: "Container adds a dangerous Linux capability",
        severity: Severity::High,
        category: Category::Privileges,
        finds: "Entries of `securityContext.capabilities.add` (init, regular and ephemeral \
                containers) that name a capability of the `capabilities` parameter, compared \
                case-insensitively and with or without the `CAP_` prefix; by default `ALL`, \
                `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `DAC_READ_SEARCH`, \
                `SYS_RAWIO`, `SYS_BOOT`, `BPF` and `PERFMON`. One finding per dangerous entry.",
        why: "Each of these capabilities hands a compromised process kernel-level power to escape \
              the container, spy on other workloads or disrupt the node: \
              SYS_ADMIN allows mounting filesystems and most of what root can do, SYS_MODULE \
              loads kernel modules, SYS_PTRACE attaches to other processes (the node's with \
              hostPID), DAC_READ_SEARCH bypasses read permissions and, through open_by_handle_at, \
              reaches files outside the container (the \"shocker\" escape), SYS_RAWIO accesses raw devices \
              and I/O ports, SYS_BOOT reboots the node, BPF and PERFMON together load tracing \
              programs that read kernel memory and other processes' data, NET_ADMIN rewrites \
              routing and firewall rules (the node's own with hostNetwork) to intercept traffic, \
              and ALL grants all of them at once.",
        remediation: "Remove the capability from `capabilities.add`. Drop `ALL` and add back only \
                      narrow capabilities the process provably needs (`NET_BIND_SERVICE` to \
                      bind ports below 1024, for example). Software that needs these \
                      capabilities is node-level tooling and belongs under a documented exception.",
        example: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]\n    add: [\"NET_BIND_SERVICE\"]\n",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.9",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.4",
            "pss-baseline:capabilities_baseline",
            "pss-restricted:capabilities_restricted",
        ],
        equivalents: &[
            "trivy:KSV005",
            "trivy:KSV120",
            "checkov:CKV_K8S_39",
            "polaris:dangerousCapabilities",
        ],
        params: &[ParamSpec {
            name: "capabilities",
            description: "Capabilities that must not be added (case-insensitive, `CAP_` prefix optional).",
            default: ParamDefault::Strings(&[
                "ALL",
                "SYS_ADMIN",
                "NET_ADMIN",
                "SYS_PTRACE",
                "SYS_MODULE",
                "DAC_READ_SEARCH",
                "SYS_RAWIO",
                "SYS_BOOT",
                "BPF",
                "PERFMON",
            ]),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// A capability name as `util::capabilities` normalises it: upper case, no `CAP_` prefix.
fn normalize(cap: &str) -> String {
    let up = cap.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map_or(up.clone(), str::to_string)
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let dangerous: Vec<String> = ctx
        .params
        .strings("capabilities")
        .iter()
        .map(|c| normalize(c))
        .collect();
    for_each_container(obj, |c| {
        for (i, cap, n) in capabilities_indexed(c, "add") {
            if !dangerous.contains(&cap) {
                continue;
            }
            let msg = if cap == "ALL" {
                format!("{} adds ALL capabilities", label(c))
            } else {
                format!("{} adds the {cap} capability", label(c))
            };
            out.container_at(c, n.pos, &format!("securityContext.capabilities.add[{i}]"), msg);
        }
    });
}
