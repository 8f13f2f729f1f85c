//! Fixture node trees, written by the tests with the modes and owners each case needs.

#![allow(dead_code)]

use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;

/// The uid and gid the fixture's `/etc/passwd` gives the etcd user.
pub const ETCD_ID: u32 = 4242;

/// Whether the tests can set owners (they must run as root, as CI does).
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

/// A file of a fixture tree: node path, content, mode, owner.
pub fn file(root: &Path, path: &str, content: &str, mode: u32, owner: (u32, u32)) {
    let host = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(host.parent().unwrap()).unwrap();
    std::fs::write(&host, content).unwrap();
    std::fs::set_permissions(&host, std::fs::Permissions::from_mode(mode)).unwrap();
    chown(&host, Some(owner.0), Some(owner.1)).unwrap();
}

pub fn dir(root: &Path, path: &str, mode: u32, owner: (u32, u32)) {
    let host = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(&host).unwrap();
    std::fs::set_permissions(&host, std::fs::Permissions::from_mode(mode)).unwrap();
    chown(&host, Some(owner.0), Some(owner.1)).unwrap();
}

/// A static pod manifest running `command` with `args`.
pub fn static_pod(name: &str, command: &str, args: &[&str]) -> String {
    let mut s = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\nspec:\n  hostNetwork: true\n  containers:\n    - name: {name}\n      image: registry.k8s.io/{name}:v1.33.1\n      command:\n        - {command}\n"
    );
    for a in args {
        s.push_str("        - ");
        s.push_str(a);
        s.push('\n');
    }
    s
}

/// A kubeadm control-plane node. `hardened` sets every flag, setting, mode and owner the
/// benchmark asks for; otherwise each of them is wrong.
pub fn kubeadm_control_plane(root: &Path, hardened: bool) {
    let root_owner = (0, 0);
    let (strict, loose) = (0o600, 0o666);
    let m = |h: u32| if hardened { h } else { loose };
    let owner = if hardened { root_owner } else { (1000, 1000) };
    file(root, "/etc/hostname", "cp-1\n", 0o644, root_owner);
    file(
        root,
        "/etc/passwd",
        &format!(
            "root:x:0:0:root:/root:/bin/bash\netcd:x:{ETCD_ID}:{ETCD_ID}::/var/lib/etcd:/usr/sbin/nologin\nuser:x:1000:1000::/home/user:/bin/sh\n"
        ),
        0o644,
        root_owner,
    );
    file(
        root,
        "/etc/group",
        &format!("root:x:0:\netcd:x:{ETCD_ID}:\nuser:x:1000:\n"),
        0o644,
        root_owner,
    );

    let api_args: Vec<&str> = if hardened {
        vec![
            "--advertise-address=10.0.0.10",
            "--anonymous-auth=false",
            "--authorization-mode=Node,RBAC",
            "--client-ca-file=/etc/kubernetes/pki/ca.crt",
            "--enable-admission-plugins=NodeRestriction,AlwaysPullImages,EventRateLimit,DenyServiceExternalIPs",
            "--admission-control-config-file=/etc/kubernetes/admission.yaml",
            "--disable-admission-plugins=DefaultStorageClass",
            "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
            "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
            "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
            "--etcd-servers=https://127.0.0.1:2379",
            "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
            "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
            "--profiling=false",
            "--audit-log-path=/var/log/kubernetes/audit/audit.log",
            "--audit-log-maxage=30",
            "--audit-log-maxbackup=10",
            "--audit-log-maxsize=100",
            "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
            "--service-account-lookup=true",
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-extend-token-expiration=false",
            "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
            "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
            "--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml",
            "--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        ]
    } else {
        vec![
            "--anonymous-auth=true",
            "--authorization-mode=AlwaysAllow",
            "--enable-admission-plugins=AlwaysAdmit",
            "--disable-admission-plugins=ServiceAccount,NamespaceLifecycle",
            "--token-auth-file=/etc/kubernetes/tokens.csv",
            "--audit-log-maxage=7",
            "--audit-log-maxbackup",
            "3",
            "--audit-log-maxsize=10",
            "--service-account-lookup=false",
            "--tls-cipher-suites=TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ]
    };
    let cm_args: Vec<&str> = if hardened {
        vec![
            "--terminated-pod-gc-threshold=10",
            "--profiling=false",
            "--use-service-account-credentials=true",
            "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
            "--root-ca-file=/etc/kubernetes/pki/ca.crt",
            "--feature-gates=RotateKubeletServerCertificate=true",
            "--bind-address=127.0.0.1",
        ]
    } else {
        vec![
            "--use-service-account-credentials=false",
            "--feature-gates=RotateKubeletServerCertificate=false",
            "--bind-address=0.0.0.0",
        ]
    };
    let sched_args: Vec<&str> = if hardened {
        vec!["--profiling=false", "--bind-address=127.0.0.1"]
    } else {
        vec!["--bind-address=0.0.0.0"]
    };
    let etcd_args: Vec<&str> = if hardened {
        vec![
            "--data-dir=/var/lib/etcd",
            "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
            "--key-file=/etc/kubernetes/pki/etcd/server.key",
            "--client-cert-auth=true",
            "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
            "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
            "--peer-client-cert-auth=true",
            "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        ]
    } else {
        vec![
            "--data-dir=/var/lib/etcd",
            "--auto-tls=true",
            "--peer-auto-tls=true",
            "--client-cert-auth=false",
        ]
    };
    let dir_m = "/etc/kubernetes/manifests";
    dir(root, dir_m, 0o755, root_owner);
    file(
        root,
        &format!("{dir_m}/kube-apiserver.yaml"),
        &static_pod("kube-apiserver", "kube-apiserver", &api_args),
        m(strict),
        owner,
    );
    file(
        root,
        &format!("{dir_m}/kube-controller-manager.yaml"),
        &static_pod("kube-controller-manager", "kube-controller-manager", &cm_args),
        m(strict),
        owner,
    );
    file(
        root,
        &format!("{dir_m}/kube-scheduler.yaml"),
        &static_pod("kube-scheduler", "kube-scheduler", &sched_args),
        m(strict),
        owner,
    );
    file(
        root,
        &format!("{dir_m}/etcd.yaml"),
        &static_pod("etcd", "etcd", &etcd_args),
        m(strict),
        owner,
    );

    let enc = if hardened {
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n              secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==\n      - identity: {}\n"
    } else {
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n      - identity: {}\n      - aescbc:\n          keys:\n            - name: key1\n              secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==\n"
    };
    file(
        root,
        "/etc/kubernetes/enc/encryption.yaml",
        enc,
        0o600,
        root_owner,
    );
    for name in [
        "admin.conf",
        "super-admin.conf",
        "scheduler.conf",
        "controller-manager.conf",
    ] {
        file(
            root,
            &format!("/etc/kubernetes/{name}"),
            "apiVersion: v1\nkind: Config\n",
            m(strict),
            owner,
        );
    }
    dir(root, "/etc/kubernetes/pki", 0o755, owner);
    dir(root, "/etc/kubernetes/pki/etcd", 0o755, owner);
    for crt in ["ca.crt", "apiserver.crt", "etcd/ca.crt", "etcd/server.crt"] {
        file(
            root,
            &format!("/etc/kubernetes/pki/{crt}"),
            "-----BEGIN CERTIFICATE-----\n",
            m(0o644),
            owner,
        );
    }
    for key in ["ca.key", "apiserver.key", "sa.key", "etcd/server.key"] {
        file(
            root,
            &format!("/etc/kubernetes/pki/{key}"),
            "-----BEGIN PRIVATE KEY-----\n",
            m(strict),
            owner,
        );
    }
    file(
        root,
        "/etc/cni/net.d/10-calico.conflist",
        "{\"cniVersion\": \"1.0.0\"}\n",
        m(strict),
        owner,
    );
    let etcd_owner = if hardened { (ETCD_ID, ETCD_ID) } else { root_owner };
    dir(
        root,
        "/var/lib/etcd",
        if hardened { 0o700 } else { 0o755 },
        etcd_owner,
    );
    kubelet(root, hardened);
}

/// The kubelet of a kubeadm node: the systemd unit and drop-in, the flags file, the
/// configuration file, its kubeconfig and CA.
pub fn kubelet(root: &Path, hardened: bool) {
    let root_owner = (0, 0);
    let owner = if hardened { root_owner } else { (1000, 1000) };
    let m = |h: u32| if hardened { h } else { 0o666 };
    file(
        root,
        "/usr/lib/systemd/system/kubelet.service",
        "[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n",
        m(0o600),
        owner,
    );
    file(
        root,
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "# kubeadm drop-in\n[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\nEnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\nEnvironmentFile=-/etc/default/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n",
        m(0o600),
        owner,
    );
    file(
        root,
        "/var/lib/kubelet/kubeadm-flags.env",
        "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10\"\n",
        0o644,
        root_owner,
    );
    let extra = if hardened {
        "KUBELET_EXTRA_ARGS=\n"
    } else {
        "KUBELET_EXTRA_ARGS=\"--hostname-override=node-x --read-only-port=10255\"\n"
    };
    file(root, "/etc/default/kubelet", extra, 0o644, root_owner);
    let config = if hardened {
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: false\n  webhook:\n    enabled: true\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\nauthorization:\n  mode: Webhook\nreadOnlyPort: 0\nstreamingConnectionIdleTimeout: 5m\nmakeIPTablesUtilChains: true\neventRecordQPS: 5\ntlsCertFile: /var/lib/kubelet/pki/kubelet.crt\ntlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key\nrotateCertificates: true\nfeatureGates:\n  RotateKubeletServerCertificate: true\ntlsCipherSuites:\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\npodPidsLimit: 4096\nseccompDefault: true\n"
    } else {
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\nauthorization:\n  mode: AlwaysAllow\nstreamingConnectionIdleTimeout: 0s\nmakeIPTablesUtilChains: false\neventRecordQPS: -1\nrotateCertificates: false\nfeatureGates:\n  RotateKubeletServerCertificate: false\ntlsCipherSuites: [TLS_RSA_WITH_3DES_EDE_CBC_SHA]\nseccompDefault: false\n"
    };
    file(root, "/var/lib/kubelet/config.yaml", config, m(0o600), owner);
    file(
        root,
        "/etc/kubernetes/kubelet.conf",
        "apiVersion: v1\nkind: Config\n",
        m(0o600),
        owner,
    );
    file(
        root,
        "/etc/kubernetes/pki/ca.crt",
        "-----BEGIN CERTIFICATE-----\n",
        m(0o644),
        owner,
    );
    // kube-proxy, found among the running processes (a fixture /proc).
    let bind = if hardened {
        "127.0.0.1:10249"
    } else {
        "0.0.0.0:10249"
    };
    file(
        root,
        "/proc/4711/cmdline",
        &format!(
            "/usr/local/bin/kube-proxy\0--config=/var/lib/kube-proxy/config.conf\0--kubeconfig=/var/lib/kube-proxy/kubeconfig.conf\0--metrics-bind-address={bind}\0"
        ),
        0o444,
        root_owner,
    );
    file(
        root,
        "/var/lib/kube-proxy/kubeconfig.conf",
        "apiVersion: v1\nkind: Config\n",
        m(0o600),
        owner,
    );
    // With --config, kube-proxy reads its settings from the file and ignores the flag.
    let proxy_config = if hardened {
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: \"\"\n"
    } else {
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\n"
    };
    file(
        root,
        "/var/lib/kube-proxy/config.conf",
        proxy_config,
        0o644,
        root_owner,
    );
}
