use rampart_model::Object;

use crate::rbac::{CSR_APPROVAL, CSR_SIGNERS, Hit, describe, offending_rules, report};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-csr-approval",
        title: "ClusterRole can approve certificate signing requests",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of ClusterRoles (rbac.authorization.k8s.io) that allow `update` or \
                `patch` on `certificatesigningrequests/approval`, or `approve` on `signers` \
                (certificates.k8s.io), directly or through `*` in `verbs`, `resources` or \
                `apiGroups`. Approving needs both; each rule holding either is reported, and \
                the message says whether the same ClusterRole holds the other half. Rules \
                limited by `resourceNames` are reported with the names (for `signers` they \
                name the signers, such as `kubernetes.io/kube-apiserver-client`). Roles are \
                not reported: both permissions are cluster-scoped. Aggregated ClusterRoles \
                are skipped.",
        why: "An approved request for the `kubernetes.io/kube-apiserver-client` signer \
              yields a client certificate for any user name and any groups the requester \
              wrote in it, `system:masters` included, which bypasses RBAC entirely and \
              cannot be revoked before it expires. Whoever can create and approve such a \
              request owns the cluster; approving for the kubelet signers lets them \
              impersonate nodes.",
        remediation: "Leave approval to the controller manager's built-in approvers and to \
                      cluster administrators. A component that must approve (a custom \
                      signer's approver) should hold `approve` on its own signer name only, \
                      via `resourceNames`.",
        example: "rules:\n  - apiGroups: [\"certificates.k8s.io\"]\n    resources: [\"signers\"]\n    resourceNames: [\"example.com/internal-mtls\"]\n    verbs: [\"approve\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing",
            "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.11",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6(1)",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &["kubescape:C-0280"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let approval = offending_rules(obj, &CSR_APPROVAL);
    let signers = offending_rules(obj, &CSR_SIGNERS);
    let mut indices: Vec<usize> = approval.iter().chain(&signers).map(|(r, _)| r.index).collect();
    indices.sort_unstable();
    indices.dedup();
    for index in indices {
        let a = approval.iter().find(|(r, _)| r.index == index);
        let s = signers.iter().find(|(r, _)| r.index == index);
        let Some((rule, _)) = a.or(s) else { continue };
        let hits: Vec<Hit<'_>> = a
            .iter()
            .chain(s.iter())
            .flat_map(|(_, h)| h.iter().cloned())
            .collect();
        let other = |list: &[(crate::rbac::Rule<'_>, Vec<Hit<'_>>)], what: &str| match list
            .iter()
            .find(|(r, _)| r.index != index)
        {
            Some((r, _)) => format!(
                "with {what} in rule {} of this role, bound subjects can approve certificates, \
                     including client certificates for any user and group; keep this to cluster \
                     administrators",
                r.index
            ),
            None => format!(
                "this is half of approving certificates, the other half being {what} \
                     (granted here or by another role); keep both to cluster administrators"
            ),
        };
        let advice = match (a.is_some(), s.is_some()) {
            (true, true) => "bound subjects can approve certificates, including client certificates \
                             for any user and group; keep this to cluster administrators"
                .to_string(),
            (true, false) => other(&signers, "approve on signers"),
            _ => other(&approval, "update on certificatesigningrequests/approval"),
        };
        let message = format!("{}; {advice}", describe(rule, &hits));
        report(out, rule, &hits, message);
    }
}
