//! The Pod Security Standards baseline control `sysctls` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-sysctls",
        title: "Pod Security Standards: unsafe sysctls",
        severity: Severity::High,
        category: Category::Hardening,
        enabled_by_default: true,
        finds: "Pod `securityContext.sysctls` outside the allowed namespaced set of the newest policy (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem, net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat), exactly as the baseline level's sysctls control decides.",
        why: "Other sysctls are not isolated per pod: they change kernel behaviour for the whole node or can starve it of resources (kernel.msgmax, vm.*, kernel.core_pattern).",
        remediation: "Remove the sysctl, or set it on the node (and schedule the pod there) after reviewing its effect on everything else the node runs.",
        example: "securityContext:\n  sysctls:\n    - name: net.ipv4.ip_local_port_range\n      value: \"1024 65000\"\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:sysctls",
        ],
        equivalents: &["pss:sysctls"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "sysctls", out);
}
