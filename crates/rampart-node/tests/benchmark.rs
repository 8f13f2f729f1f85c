//! The benchmark on fixture node trees: a hardened kubeadm control plane passes every
//! automated item, a weakened one fails every item, and the default kubeadm, worker and
//! k3s layouts give the results their real counterparts give.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
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

/// Replaces one line of a fixture file, keeping its mode and owner.
fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let host = root.join(path.trim_start_matches('/'));
    let text = std::fs::read_to_string(&host).unwrap();
    assert!(text.contains(from), "{path} has {from}");
    std::fs::write(&host, text.replace(from, to)).unwrap();
}

#[test]
fn structured_authorization_and_authentication_configuration_files() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    kubeadm_control_plane(root, true);
    let manifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
    edit(
        root,
        manifest,
        "--authorization-mode=Node,RBAC",
        "--authorization-config=/etc/kubernetes/authz.yaml",
    );
    edit(
        root,
        manifest,
        "--anonymous-auth=false",
        "--authentication-config=/etc/kubernetes/authn.yaml",
    );
    let authz = |types: &str| {
        let mut s = String::from(
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n",
        );
        for t in types.split(',') {
            writeln!(s, "  - type: {t}\n    name: {}", t.to_lowercase()).unwrap();
        }
        file(root, "/etc/kubernetes/authz.yaml", &s, 0o600, (0, 0));
    };
    let authn = |anonymous: &str| {
        file(
            root,
            "/etc/kubernetes/authn.yaml",
            &format!(
                "apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\n{anonymous}"
            ),
            0o600,
            (0, 0),
        );
    };

    authz("Node,RBAC");
    authn("anonymous:\n  enabled: false\n");
    let r = audit(root, &[]);
    let s = statuses(&r);
    for id in ["1.2.1", "1.2.6", "1.2.7", "1.2.8"] {
        assert_eq!(s[id], Status::Pass, "{}", explain(&r, id));
    }
    let e = &r.results.iter().find(|x| x.id == "1.2.7").unwrap().evidence[0];
    assert_eq!(e.file.as_deref(), Some("/etc/kubernetes/authz.yaml"));
    assert_eq!(e.line, Some(3), "the authorizers list");
    assert!(e.found.contains("Node,RBAC"), "{e:?}");

    // A webhook alone: not AlwaysAllow, but neither Node nor RBAC.
    authz("Webhook");
    // Anonymous access kept on for the health endpoints is still anonymous access.
    authn("anonymous:\n  enabled: true\n  conditions:\n    - path: /livez\n");
    let r = audit(root, &[]);
    let s = statuses(&r);
    assert_eq!(s["1.2.6"], Status::Pass, "{}", explain(&r, "1.2.6"));
    assert_eq!(s["1.2.7"], Status::Fail, "{}", explain(&r, "1.2.7"));
    assert_eq!(s["1.2.8"], Status::Fail, "{}", explain(&r, "1.2.8"));
    assert_eq!(s["1.2.1"], Status::Fail, "{}", explain(&r, "1.2.1"));
    let e = &r.results.iter().find(|x| x.id == "1.2.1").unwrap().evidence[0];
    assert_eq!(
        (e.file.as_deref(), e.line),
        (Some("/etc/kubernetes/authn.yaml"), Some(4))
    );

    authz("AlwaysAllow");
    // Without an anonymous section, --anonymous-auth's default (true) applies.
    authn("jwt: []\n");
    let r = audit(root, &[]);
    let s = statuses(&r);
    assert_eq!(s["1.2.6"], Status::Fail, "{}", explain(&r, "1.2.6"));
    assert_eq!(s["1.2.1"], Status::Fail, "{}", explain(&r, "1.2.1"));

    // A file that cannot be parsed fails the items with the line of the error.
    file(
        root,
        "/etc/kubernetes/authz.yaml",
        "authorizers:\n  - type: [Node\n",
        0o600,
        (0, 0),
    );
    std::fs::remove_file(root.join("etc/kubernetes/authn.yaml")).unwrap();
    let r = audit(root, &[]);
    let x = r.results.iter().find(|x| x.id == "1.2.8").unwrap();
    assert_eq!(x.status, Status::Fail);
    assert!(x.evidence[0].found.contains("not valid YAML"), "{:?}", x.evidence);
    assert!(x.evidence[0].line.is_some(), "{:?}", x.evidence);
    let x = r.results.iter().find(|x| x.id == "1.2.1").unwrap();
    assert_eq!(x.status, Status::Fail);
    assert!(x.evidence[0].found.contains("cannot read"), "{:?}", x.evidence);
}

#[test]
fn kubelet_drop_in_directory_is_merged_over_the_configuration_file() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    kubeadm_control_plane(root, true);
    file(
        root,
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=--config-dir=/etc/kubernetes/kubelet.conf.d\n",
        0o644,
        (0, 0),
    );
    let d = "/etc/kubernetes/kubelet.conf.d";
    file(
        root,
        &format!("{d}/10-ports.conf"),
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\nfeatureGates:\n  RotateKubeletServerCertificate: false\n",
        0o600,
        (0, 0),
    );
    file(
        root,
        &format!("{d}/20-gates.conf"),
        "featureGates:\n  SomethingElse: true\n",
        0o644,
        (0, 0),
    );
    // Not a drop-in: only *.conf files are read.
    file(
        root,
        &format!("{d}/99-off.yaml"),
        "readOnlyPort: 0\n",
        0o600,
        (0, 0),
    );
    let r = audit(root, &[]);
    let s = statuses(&r);
    let x = r.results.iter().find(|x| x.id == "4.2.4").unwrap();
    assert_eq!(x.status, Status::Fail, "{:?}", x.evidence);
    assert_eq!(
        (x.evidence[0].file.as_deref(), x.evidence[0].line),
        (Some("/etc/kubernetes/kubelet.conf.d/10-ports.conf"), Some(3))
    );
    // Feature gates merge key by key: the later drop-in adds a gate, the earlier one's
    // RotateKubeletServerCertificate=false stays.
    assert_eq!(s["4.2.11"], Status::Fail, "{}", explain(&r, "4.2.11"));
    // Settings no drop-in touches come from the configuration file.
    assert_eq!(s["4.2.1"], Status::Pass, "{}", explain(&r, "4.2.1"));
    // The drop-ins are kubelet configuration files: 20-gates.conf is too open.
    let x = r.results.iter().find(|x| x.id == "4.1.9").unwrap();
    assert_eq!(x.status, Status::Fail);
    assert_eq!(x.evidence.len(), 1, "{:?}", x.evidence);
    assert_eq!(
        x.evidence[0].file.as_deref(),
        Some("/etc/kubernetes/kubelet.conf.d/20-gates.conf")
    );

    // A later drop-in sets the port back to 0 and the gate back to true.
    file(
        root,
        &format!("{d}/30-fix.conf"),
        "readOnlyPort: 0\nfeatureGates:\n  RotateKubeletServerCertificate: true\n",
        0o600,
        (0, 0),
    );
    let r = audit(root, &[]);
    let s = statuses(&r);
    assert_eq!(s["4.2.4"], Status::Pass, "{}", explain(&r, "4.2.4"));
    assert_eq!(s["4.2.11"], Status::Pass, "{}", explain(&r, "4.2.11"));

    // A flag still overrides every file.
    file(
        root,
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=\"--config-dir=/etc/kubernetes/kubelet.conf.d --read-only-port=10255\"\n",
        0o644,
        (0, 0),
    );
    let r = audit(root, &[]);
    assert_eq!(statuses(&r)["4.2.4"], Status::Fail, "{}", explain(&r, "4.2.4"));

    // A missing drop-in directory is reported, not ignored.
    std::fs::remove_dir_all(root.join("etc/kubernetes/kubelet.conf.d")).unwrap();
    let r = audit(root, &[]);
    assert!(
        r.problems
            .iter()
            .any(|p| p.file == d && p.message.contains("does not exist")),
        "{:?}",
        r.problems
    );
}

#[test]
fn rke2_server_reads_its_pod_manifests_config_and_kubelet_drop_ins() {
    need_root!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    file(root, "/etc/hostname", "rke2-1\n", 0o644, (0, 0));
    file(
        root,
        "/etc/rancher/rke2/config.yaml",
        "profile: cis\nkubelet-arg:\n  - \"streaming-connection-idle-timeout=0\"\n",
        0o600,
        (0, 0),
    );
    let manifests = "/var/lib/rancher/rke2/agent/pod-manifests";
    file(
        root,
        &format!("{manifests}/kube-apiserver.yaml"),
        &static_pod(
            "kube-apiserver",
            "kube-apiserver",
            &[
                "--anonymous-auth=false",
                "--authorization-mode=Node,RBAC",
                "--profiling=false",
                "--enable-admission-plugins=NodeRestriction",
            ],
        ),
        0o600,
        (0, 0),
    );
    file(
        root,
        &format!("{manifests}/etcd.yaml"),
        &static_pod(
            "etcd",
            "etcd",
            &[
                "--data-dir=/var/lib/rancher/rke2/server/db/etcd",
                "--client-cert-auth=true",
            ],
        ),
        0o644,
        (0, 0),
    );
    common::dir(root, "/var/lib/rancher/rke2/server/db/etcd", 0o700, (0, 0));
    file(
        root,
        "/var/lib/rancher/rke2/server/tls/server-ca.key",
        "x",
        0o600,
        (0, 0),
    );
    file(
        root,
        "/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: false\nauthorization:\n  mode: Webhook\nreadOnlyPort: 0\n",
        0o600,
        (0, 0),
    );
    let r = audit(root, &[]);
    assert_eq!(r.distribution, Distribution::Rke2);
    assert_eq!(r.role, Role::Master);
    let s = statuses(&r);
    // Flags from the RKE2 pod manifest, with its path and line.
    assert_eq!(s["1.2.15"], Status::Pass, "{}", explain(&r, "1.2.15"));
    let x = r.results.iter().find(|x| x.id == "1.2.15").unwrap();
    assert_eq!(
        x.evidence[0].file.as_deref(),
        Some("/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml")
    );
    assert!(x.evidence[0].line.is_some());
    for id in [
        "1.1.1", "1.1.11", "1.1.21", "1.2.1", "1.2.7", "1.2.8", "1.2.14", "2.2",
    ] {
        assert_eq!(s[id], Status::Pass, "{}", explain(&r, id));
    }
    // The etcd manifest is too open; the components RKE2 did not start are not there.
    assert_eq!(s["1.1.7"], Status::Fail, "{}", explain(&r, "1.1.7"));
    assert_eq!(s["1.1.3"], Status::NotApplicable, "{}", explain(&r, "1.1.3"));
    // The kubelet: settings from RKE2's drop-in directory, flags from config.yaml.
    for id in ["4.2.1", "4.2.2", "4.2.4"] {
        assert_eq!(s[id], Status::Pass, "{}", explain(&r, id));
    }
    let x = r.results.iter().find(|x| x.id == "4.2.4").unwrap();
    assert_eq!(
        x.evidence[0].file.as_deref(),
        Some("/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf")
    );
    assert_eq!(s["4.2.5"], Status::Fail, "{}", explain(&r, "4.2.5"));
    let x = r.results.iter().find(|x| x.id == "4.2.5").unwrap();
    assert_eq!(
        (x.evidence[0].file.as_deref(), x.evidence[0].line),
        (Some("/etc/rancher/rke2/config.yaml"), Some(3))
    );
}

#[test]
fn managed_worker_layouts_find_their_kubelet_configuration() {
    need_root!();
    // EKS: a JSON configuration file at the path the EKS AMI uses, named by the unit.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    file(root, "/etc/hostname", "ip-10-0-1-7\n", 0o644, (0, 0));
    file(root, "/etc/eks/release", "BASE_AMI_ID=ami-0\n", 0o644, (0, 0));
    file(
        root,
        "/etc/systemd/system/kubelet.service",
        "[Service]\nExecStart=/usr/bin/kubelet --config /etc/kubernetes/kubelet/kubelet-config.json --kubeconfig /var/lib/kubelet/kubeconfig --node-ip=10.0.1.7\n",
        0o644,
        (0, 0),
    );
    file(
        root,
        "/etc/kubernetes/kubelet/kubelet-config.json",
        "{\n  \"kind\": \"KubeletConfiguration\",\n  \"apiVersion\": \"kubelet.config.k8s.io/v1beta1\",\n  \"authentication\": {\n    \"anonymous\": { \"enabled\": false },\n    \"webhook\": { \"enabled\": true }\n  },\n  \"authorization\": { \"mode\": \"Webhook\" },\n  \"readOnlyPort\": 10255\n}\n",
        0o644,
        (0, 0),
    );
    let r = audit(root, &[]);
    assert_eq!(r.distribution, Distribution::Eks);
    assert_eq!(r.role, Role::Worker);
    let s = statuses(&r);
    assert_eq!(s["4.2.1"], Status::Pass, "{}", explain(&r, "4.2.1"));
    assert_eq!(s["4.2.2"], Status::Pass, "{}", explain(&r, "4.2.2"));
    let x = r.results.iter().find(|x| x.id == "4.2.4").unwrap();
    assert_eq!(x.status, Status::Fail, "{:?}", x.evidence);
    assert_eq!(
        (x.evidence[0].file.as_deref(), x.evidence[0].line),
        (Some("/etc/kubernetes/kubelet/kubelet-config.json"), Some(9))
    );
    // The unit and the configuration file are 644: 4.1.1 and 4.1.9 fail.
    assert_eq!(s["4.1.1"], Status::Fail, "{}", explain(&r, "4.1.1"));
    assert_eq!(s["4.1.9"], Status::Fail, "{}", explain(&r, "4.1.9"));
    assert_eq!(s["1.2.1"], Status::NotApplicable, "a worker has no API server");

    // GKE: the configuration file in /home/kubernetes, found without a --config flag.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    file(root, "/etc/hostname", "gke-pool-1-abcd\n", 0o644, (0, 0));
    file(
        root,
        "/etc/systemd/system/kubelet.service",
        "[Service]\nEnvironmentFile=/etc/default/kubelet\nExecStart=/home/kubernetes/bin/kubelet $KUBELET_OPTS\n",
        0o600,
        (0, 0),
    );
    file(
        root,
        "/etc/default/kubelet",
        "KUBELET_OPTS=\"--v=2 --cloud-provider=external --read-only-port=0\"\n",
        0o644,
        (0, 0),
    );
    file(
        root,
        "/home/kubernetes/kubelet-config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\nreadOnlyPort: 10255\n",
        0o600,
        (0, 0),
    );
    let r = audit(root, &[]);
    assert_eq!(r.distribution, Distribution::Gke);
    let s = statuses(&r);
    let x = r.results.iter().find(|x| x.id == "4.2.1").unwrap();
    assert_eq!(x.status, Status::Fail, "{:?}", x.evidence);
    assert_eq!(
        (x.evidence[0].file.as_deref(), x.evidence[0].line),
        (Some("/home/kubernetes/kubelet-config.yaml"), Some(5))
    );
    // The flag from the environment file wins over the file's 10255.
    assert_eq!(s["4.2.4"], Status::Pass, "{}", explain(&r, "4.2.4"));
    let x = r.results.iter().find(|x| x.id == "4.2.4").unwrap();
    assert_eq!(x.evidence[0].file.as_deref(), Some("/etc/default/kubelet"));
    assert_eq!(s["4.1.9"], Status::Pass, "{}", explain(&r, "4.1.9"));

    // AKS: recognised by its cloud configuration; the kubelet as on kubeadm.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    file(root, "/etc/kubernetes/azure.json", "{}\n", 0o600, (0, 0));
    file(
        root,
        "/etc/systemd/system/kubelet.service",
        "[Service]\nEnvironmentFile=/etc/default/kubelet\nExecStart=/usr/local/bin/kubelet $KUBELET_FLAGS\n",
        0o600,
        (0, 0),
    );
    file(
        root,
        "/etc/default/kubelet",
        "KUBELET_FLAGS=--anonymous-auth=false --authorization-mode=Webhook --read-only-port=0 --protect-kernel-defaults=true\n",
        0o644,
        (0, 0),
    );
    let r = audit(root, &[]);
    assert_eq!(r.distribution, Distribution::Aks);
    let s = statuses(&r);
    for id in ["4.2.1", "4.2.2", "4.2.4"] {
        assert_eq!(s[id], Status::Pass, "{}", explain(&r, id));
    }
    // Without a configuration file nothing names a client CA: 4.2.3 fails.
    assert_eq!(s["4.2.3"], Status::Fail, "{}", explain(&r, "4.2.3"));
}
