//! The benchmark on fixture node trees: a hardened kubeadm control plane passes every
//! automated item, a weakened one fails every item, and the default kubeadm, worker and
//! k3s layouts give the results their real counterparts give.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{file, is_root, kubeadm_control_plane, static_pod};
use rampart_config::{Date, NodeException};
use rampart_node::{Distribution, ITEMS, NodeFs, NodeReport, NodeView, Options, Role, Status};

fn audit(root: &Path, exceptions: &[NodeException]) -> NodeReport {
    let fs = NodeFs::new(root);
    let name = rampart_node::node_name(&fs);
    let view = NodeView::load(
        fs,
        &Options {
            proc_dir: Some(root.join("proc")),
            ..Options::default()
        },
    );
    rampart_node::audit(&view, &name, exceptions, Date::parse("2026-11-27").unwrap())
}

fn statuses(r: &NodeReport) -> BTreeMap<&'static str, Status> {
    r.results.iter().map(|x| (x.id, x.status)).collect()
}

fn explain(r: &NodeReport, id: &str) -> String {
    let x = r.results.iter().find(|x| x.id == id).unwrap();
    format!("{id} {:?}: {:?}", x.status, x.evidence)
}

macro_rules! need_root {
    () => {
        if !is_root() {
            eprintln!("skipped: the node fixtures set file owners, which needs root");
            return;
        }
    };
}

const MANUAL: &[&str] = &["1.2.20", "3.1.1", "3.1.2", "3.1.3", "3.2.2"];

#[test]
fn hardened_control_plane_passes_every_automated_item() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    kubeadm_control_plane(dir.path(), true);
    let r = audit(dir.path(), &[]);
    assert_eq!(r.distribution, Distribution::Kubeadm);
    assert_eq!(r.role, Role::Master);
    assert_eq!(r.node, "cp-1");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    for item in ITEMS {
        let want = if MANUAL.contains(&item.id) {
            Status::Warn
        } else {
            Status::Pass
        };
        let got = statuses(&r)[item.id];
        assert_eq!(got, want, "{}", explain(&r, item.id));
    }
    assert_eq!(r.failing().count(), 0);
}

#[test]
fn weakened_control_plane_fails_every_automated_item() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    kubeadm_control_plane(dir.path(), false);
    let r = audit(dir.path(), &[]);
    assert_eq!(r.role, Role::Master);
    // 4.2.3 needs a kubelet without a client CA, whose CA file 4.1.7 could then not judge:
    // `worker_without_a_config_file_is_judged_by_flag_defaults` fails it.
    for item in ITEMS.iter().filter(|i| i.id != "4.2.3") {
        let want = if MANUAL.contains(&item.id) {
            Status::Warn
        } else {
            Status::Fail
        };
        assert_eq!(statuses(&r)[item.id], want, "{}", explain(&r, item.id));
    }
    // Every failure says what was found, where, and how to fix it.
    let f = r.results.iter().find(|x| x.id == "1.2.1").unwrap();
    assert_eq!(f.evidence.len(), 1);
    let e = &f.evidence[0];
    assert_eq!(
        e.file.as_deref(),
        Some("/etc/kubernetes/manifests/kube-apiserver.yaml")
    );
    assert_eq!(e.line, Some(13), "the line of the flag in the manifest");
    assert!(e.found.contains("--anonymous-auth=true"), "{}", e.found);
    assert!(f.remediation.contains("--anonymous-auth=false"));
    let mode = r.results.iter().find(|x| x.id == "1.1.1").unwrap();
    assert!(
        mode.evidence[0].found.starts_with("mode 666"),
        "{:?}",
        mode.evidence
    );
    let owner = r.results.iter().find(|x| x.id == "1.1.12").unwrap();
    assert!(
        owner.evidence[0].found.contains("owner root:root"),
        "{:?}",
        owner.evidence
    );
    // The kubelet flag from /etc/default/kubelet overrides the configuration file.
    let ro = r.results.iter().find(|x| x.id == "4.2.4").unwrap();
    assert_eq!(ro.evidence[0].file.as_deref(), Some("/etc/default/kubelet"));
    assert!(ro.evidence[0].found.contains("--read-only-port=10255"));
    // kube-proxy came from the running processes.
    let proxy = r.results.iter().find(|x| x.id == "4.3.1").unwrap();
    assert_eq!(
        proxy.evidence[0].file.as_deref(),
        Some("/var/lib/kube-proxy/config.conf")
    );
    assert_eq!(proxy.evidence[0].line, Some(3));
    assert!(
        r.components.iter().any(|c| c.source == "/proc/4711/cmdline"),
        "{:?}",
        r.components
    );
}

#[test]
fn exceptions_accept_a_failure_by_item_and_node_until_they_expire() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    kubeadm_control_plane(dir.path(), true);
    // Un-harden one thing: no audit log path.
    let manifest = dir.path().join("etc/kubernetes/manifests/kube-apiserver.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "        - --audit-log-path=/var/log/kubernetes/audit/audit.log\n",
        "",
    );
    std::fs::write(&manifest, text).unwrap();
    let exception = |nodes: &[&str], expires: Option<&str>| NodeException {
        items: vec!["1.2.16".into()],
        nodes: nodes.iter().map(|s| (*s).to_string()).collect(),
        reason: "audit logs go to the log shipper".into(),
        expires: expires.and_then(Date::parse),
        ticket: None,
        origin: ".rampart.yaml:3".into(),
    };
    let r = audit(dir.path(), &[]);
    assert_eq!(r.failing().map(|x| x.id).collect::<Vec<_>>(), ["1.2.16"]);
    let r = audit(dir.path(), &[exception(&["cp-*"], Some("2027-01-31"))]);
    assert_eq!(r.failing().count(), 0);
    let x = r.results.iter().find(|x| x.id == "1.2.16").unwrap();
    assert_eq!(x.status, Status::Fail, "still reported as failed");
    assert_eq!(x.exception.as_ref().unwrap().source, ".rampart.yaml:3");
    assert_eq!(r.summary.excepted, 1);
    // Another node's exception does not apply, nor does an expired one.
    assert_eq!(
        audit(dir.path(), &[exception(&["worker-*"], None)])
            .failing()
            .count(),
        1
    );
    let r = audit(dir.path(), &[exception(&[], Some("2026-11-01"))]);
    assert_eq!(r.failing().count(), 1);
    assert_eq!(r.expired_exceptions.len(), 1, "{:?}", r.expired_exceptions);
}

/// The manifests kubeadm 1.33 writes by default: a few items pass, audit logging,
/// profiling, admission plugins and encryption fail.
#[test]
fn default_kubeadm_control_plane() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    kubeadm_control_plane(root, true);
    let m = "/etc/kubernetes/manifests";
    let api = [
        "--advertise-address=10.0.0.10",
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
        "--etcd-servers=https://127.0.0.1:2379",
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        "--secure-port=6443",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
    ];
    file(
        root,
        &format!("{m}/kube-apiserver.yaml"),
        &static_pod("kube-apiserver", "kube-apiserver", &api),
        0o600,
        (0, 0),
    );
    let cm = [
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-name=kubernetes",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--use-service-account-credentials=true",
    ];
    file(
        root,
        &format!("{m}/kube-controller-manager.yaml"),
        &static_pod("kube-controller-manager", "kube-controller-manager", &cm),
        0o600,
        (0, 0),
    );
    let sched = [
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
    ];
    file(
        root,
        &format!("{m}/kube-scheduler.yaml"),
        &static_pod("kube-scheduler", "kube-scheduler", &sched),
        0o600,
        (0, 0),
    );
    let r = audit(root, &[]);
    let s = statuses(&r);
    for id in [
        "1.2.6", "1.2.7", "1.2.8", "1.2.14", "1.2.21", "1.2.22", "1.2.24", "1.3.3", "1.3.7", "1.4.2",
    ] {
        assert_eq!(s[id], Status::Pass, "{}", explain(&r, id));
    }
    for id in [
        "1.2.1", "1.2.3", "1.2.5", "1.2.9", "1.2.11", "1.2.15", "1.2.16", "1.2.17", "1.2.18", "1.2.19",
        "1.2.27", "1.2.28", "1.2.29", "1.2.30", "1.3.1", "1.3.2", "1.4.1", "3.2.1",
    ] {
        assert_eq!(s[id], Status::Fail, "{}", explain(&r, id));
    }
    // Judged by the default when the flag is absent, and said so.
    let p = r.results.iter().find(|x| x.id == "1.2.15").unwrap();
    assert!(
        p.evidence[0].found.contains("not set (default true)"),
        "{:?}",
        p.evidence
    );
}

#[test]
fn worker_without_a_config_file_is_judged_by_flag_defaults() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    file(root, "/etc/hostname", "worker-7\n", 0o644, (0, 0));
    file(
        root,
        "/etc/systemd/system/kubelet.service",
        "[Service]\nExecStart=/usr/bin/kubelet \\\n  --kubeconfig=/etc/kubernetes/kubelet.conf \\\n  --container-runtime-endpoint=unix:///run/containerd/containerd.sock\n",
        0o600,
        (0, 0),
    );
    file(
        root,
        "/etc/kubernetes/kubelet.conf",
        "apiVersion: v1\nkind: Config\n",
        0o600,
        (0, 0),
    );
    let r = audit(root, &[]);
    assert_eq!(r.role, Role::Worker);
    let s = statuses(&r);
    for item in ITEMS.iter().filter(|i| i.scope == rampart_node::Scope::Master) {
        assert_eq!(s[item.id], Status::NotApplicable, "{}", item.id);
    }
    // Without a configuration file the kubelet's flag defaults apply: anonymous requests
    // allowed, AlwaysAllow authorization, the read-only port open.
    for id in ["4.2.1", "4.2.2", "4.2.3", "4.2.4", "4.2.14"] {
        assert_eq!(s[id], Status::Fail, "{}", explain(&r, id));
    }
    for id in [
        "4.1.1", "4.1.2", "4.1.5", "4.1.6", "4.2.5", "4.2.6", "4.2.7", "4.2.10", "4.2.11",
    ] {
        assert_eq!(s[id], Status::Pass, "{}", explain(&r, id));
    }
    // No configuration file, no CA, no kube-proxy: nothing to judge.
    for id in ["4.1.3", "4.1.7", "4.1.9", "4.3.1"] {
        assert_eq!(s[id], Status::NotApplicable, "{}", explain(&r, id));
    }
    let unit = r.results.iter().find(|x| x.id == "4.2.1").unwrap();
    assert!(
        unit.evidence[0]
            .found
            .contains("no configuration file (default true)"),
        "{:?}",
        unit.evidence
    );
}

#[test]
fn k3s_server_uses_its_defaults_and_configured_arguments() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    file(root, "/etc/hostname", "k3s-1\n", 0o644, (0, 0));
    file(
        root,
        "/etc/rancher/k3s/config.yaml",
        "write-kubeconfig-mode: \"0600\"\nkube-apiserver-arg:\n  - \"audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log\"\n  - \"audit-log-maxage=30\"\n  - \"profiling=true\"\nkubelet-arg: \"streaming-connection-idle-timeout=0\"\n",
        0o600,
        (0, 0),
    );
    common::dir(root, "/var/lib/rancher/k3s/server/tls", 0o700, (0, 0));
    file(
        root,
        "/var/lib/rancher/k3s/server/tls/server-ca.crt",
        "x",
        0o644,
        (0, 0),
    );
    file(
        root,
        "/var/lib/rancher/k3s/server/tls/server-ca.key",
        "x",
        0o644,
        (0, 0),
    );
    let r = audit(root, &[]);
    assert_eq!(r.distribution, Distribution::K3s);
    assert_eq!(r.role, Role::Master);
    let s = statuses(&r);
    // k3s's own defaults.
    for id in [
        "1.2.1", "1.2.6", "1.2.14", "1.3.2", "1.3.7", "1.4.1", "4.2.1", "4.2.2", "4.2.4",
    ] {
        assert_eq!(s[id], Status::Pass, "{}", explain(&r, id));
    }
    // Configured arguments override them, with the line they are on.
    assert_eq!(s["1.2.15"], Status::Fail);
    let p = r.results.iter().find(|x| x.id == "1.2.15").unwrap();
    assert_eq!(
        p.evidence[0].file.as_deref(),
        Some("/etc/rancher/k3s/config.yaml")
    );
    assert_eq!(p.evidence[0].line, Some(5));
    assert_eq!(s["1.2.16"], Status::Pass);
    assert_eq!(s["4.2.5"], Status::Fail, "{}", explain(&r, "4.2.5"));
    // No embedded etcd here (SQLite): the etcd items do not apply.
    assert_eq!(s["2.1"], Status::NotApplicable);
    // The key file is too open.
    assert_eq!(s["1.1.21"], Status::Fail, "{}", explain(&r, "1.1.21"));
}

#[test]
fn broken_and_odd_files_give_clear_results_not_crashes() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    kubeadm_control_plane(root, true);
    // A manifest that is not YAML, a kubelet configuration that is a directory, and the
    // scheduler manifest behind a symbolic link to another absolute path on the node.
    file(
        root,
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        "spec: [unclosed\n  - : :\n",
        0o600,
        (0, 0),
    );
    std::fs::remove_file(root.join("var/lib/kubelet/config.yaml")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/kubelet/config.yaml")).unwrap();
    let sched = root.join("etc/kubernetes/manifests/kube-scheduler.yaml");
    let text = std::fs::read_to_string(&sched).unwrap();
    std::fs::remove_file(&sched).unwrap();
    file(root, "/srv/manifests/kube-scheduler.yaml", &text, 0o600, (0, 0));
    std::os::unix::fs::symlink("/srv/manifests/kube-scheduler.yaml", &sched).unwrap();
    // A link loop where the CNI configuration should be.
    std::os::unix::fs::symlink("/etc/cni/net.d/b.conf", root.join("etc/cni/net.d/a.conf")).unwrap();
    std::os::unix::fs::symlink("/etc/cni/net.d/a.conf", root.join("etc/cni/net.d/b.conf")).unwrap();

    let r = audit(root, &[]);
    let problems: Vec<String> = r
        .problems
        .iter()
        .map(|p| format!("{}:{:?}: {}", p.file, p.line, p.message))
        .collect();
    assert!(
        problems.iter().any(|p| p
            .starts_with("/etc/kubernetes/manifests/kube-controller-manager.yaml:Some(")
            && p.contains("not a valid manifest")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("/var/lib/kubelet/config.yaml") && p.contains("not a regular file")),
        "{problems:?}"
    );
    let s = statuses(&r);
    assert_eq!(
        s["1.3.2"],
        Status::NotApplicable,
        "the controller manager could not be read"
    );
    assert_eq!(s["1.4.1"], Status::Pass, "the linked scheduler manifest was read");
    assert_eq!(s["1.1.5"], Status::Pass, "the link's target has mode 600");
    assert_eq!(s["1.1.9"], Status::Fail, "{}", explain(&r, "1.1.9"));
}
