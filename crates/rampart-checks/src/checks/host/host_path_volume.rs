use rampart_model::{Object, PodSpec};

use crate::util::host_path_volumes;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "host-path-volume",
        title: "Pod mounts a directory or file of the node (hostPath volume)",
        severity: Severity::Medium,
        category: Category::HostAccess,
        finds: "Pod specs with a volume of type `hostPath` (`volumes[].hostPath`), whatever its \
                path. Sensitive paths and container runtime sockets are reported again, with a \
                higher severity, by `sensitive-host-path` and `container-runtime-socket`.",
        why: "A hostPath volume breaks the isolation between the pod and the node: the container \
              reads (and, unless every mount of it is `readOnly`, writes) the node's filesystem. \
              Data left there outlives the pod and is visible to the next pod scheduled on the \
              node, a writable mount lets a compromised container plant files the node or other \
              pods will use, and the pod's behaviour depends on which node it lands on.",
        remediation: "Use a volume type that does not expose the node: `emptyDir` for scratch \
                      space, a PersistentVolumeClaim for data that must persist, a ConfigMap, \
                      Secret or projected volume for configuration. If node access is the point \
                      (log collectors, CSI or CNI agents), mount the narrowest path with \
                      `readOnly: true` and record an exception.",
        example: "volumes:\n  - name: cache\n    emptyDir: {}\n",
        references: &[
            "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.11",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.5.5",
            "nist-800-53-r5:SC-4",
            "nsa-cisa-1.2:pod-security.host-path",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:hostPathVolumes",
            "pss-restricted:restrictedVolumes",
        ],
        equivalents: &["trivy:KSV023"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else { return };
    for v in host_path_volumes(&pod) {
        let msg = match v.path {
            Some((path, _)) => format!("volume \"{}\" mounts the host path \"{path}\"", v.name),
            None => format!("volume \"{}\" is a hostPath volume", v.name),
        };
        out.object_at(v.key_pos, &v.field, msg);
    }
}
