//! What a node runs and how: the distribution layout, the control-plane components and
//! their flags (from static pod manifests, the k3s configuration, or the running
//! processes), and the kubelet's effective settings (flags over configuration file).

use std::sync::Arc;

use rampart_model::{Limits, Node as YamlNode, Pos, Source, parse_source, yaml};
use serde::Serialize;

use crate::flags::{Flags, Origin, split_words};
use crate::fs::{FsError, NodeFs};

/// A Kubernetes component the benchmark audits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    ApiServer,
    ControllerManager,
    Scheduler,
    Etcd,
    Kubelet,
    Proxy,
}

impl Component {
    pub const ALL: [Component; 6] = [
        Component::ApiServer,
        Component::ControllerManager,
        Component::Scheduler,
        Component::Etcd,
        Component::Kubelet,
        Component::Proxy,
    ];

    /// The program name.
    pub fn binary(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
            Component::Kubelet => "kubelet",
            Component::Proxy => "kube-proxy",
        }
    }

    fn from_binary(path: &str) -> Option<Component> {
        let base = path.rsplit('/').next().unwrap_or(path);
        Component::ALL.into_iter().find(|c| c.binary() == base)
    }

    /// The key of a k3s/RKE2 configuration file that carries extra flags for it.
    fn k3s_key(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver-arg",
            Component::ControllerManager => "kube-controller-manager-arg",
            Component::Scheduler => "kube-scheduler-arg",
            Component::Etcd => "etcd-arg",
            Component::Kubelet => "kubelet-arg",
            Component::Proxy => "kube-proxy-arg",
        }
    }
}

/// How the node was installed, which decides where its files are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Distribution {
    Kubeadm,
    K3s,
    Rke2,
    Eks,
    Gke,
    Aks,
}

impl Distribution {
    pub const ALL: [Distribution; 6] = [
        Distribution::Kubeadm,
        Distribution::K3s,
        Distribution::Rke2,
        Distribution::Eks,
        Distribution::Gke,
        Distribution::Aks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Kubeadm => "kubeadm",
            Distribution::K3s => "k3s",
            Distribution::Rke2 => "rke2",
            Distribution::Eks => "eks",
            Distribution::Gke => "gke",
            Distribution::Aks => "aks",
        }
    }

    pub fn parse(s: &str) -> Option<Distribution> {
        Distribution::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Recognises the layout from files only that distribution has.
    fn detect(fs: &NodeFs) -> Distribution {
        if fs.exists("/etc/rancher/rke2") || fs.exists("/var/lib/rancher/rke2") {
            Distribution::Rke2
        } else if fs.exists("/etc/rancher/k3s") || fs.exists("/var/lib/rancher/k3s") {
            Distribution::K3s
        } else if fs.exists("/etc/eks") || fs.exists("/etc/kubernetes/kubelet/kubelet-config.json") {
            Distribution::Eks
        } else if fs.exists("/home/kubernetes/kubelet-config.yaml") {
            Distribution::Gke
        } else if fs.exists("/etc/kubernetes/azure.json") {
            Distribution::Aks
        } else {
            Distribution::Kubeadm
        }
    }

    /// The directory of static pod manifests.
    pub fn manifest_dir(self) -> &'static str {
        match self {
            Distribution::Rke2 => "/var/lib/rancher/rke2/agent/pod-manifests",
            _ => "/etc/kubernetes/manifests",
        }
    }

    /// The Kubernetes configuration directory (kubeconfigs, PKI).
    pub fn kube_dir(self) -> &'static str {
        match self {
            Distribution::K3s => "/var/lib/rancher/k3s/server",
            Distribution::Rke2 => "/var/lib/rancher/rke2/server",
            _ => "/etc/kubernetes",
        }
    }

    /// The directory of the cluster's certificates and keys.
    pub fn pki_dir(self) -> String {
        match self {
            Distribution::K3s | Distribution::Rke2 => format!("{}/tls", self.kube_dir()),
            _ => format!("{}/pki", self.kube_dir()),
        }
    }

    /// Where the kubelet configuration file usually is when no `--config` flag names it.
    fn kubelet_config_candidates(self) -> &'static [&'static str] {
        match self {
            Distribution::Eks => &[
                "/etc/kubernetes/kubelet/kubelet-config.json",
                "/etc/kubernetes/kubelet/config.json",
            ],
            Distribution::Gke => &["/home/kubernetes/kubelet-config.yaml"],
            Distribution::K3s | Distribution::Rke2 => &[],
            Distribution::Kubeadm | Distribution::Aks => &["/var/lib/kubelet/config.yaml"],
        }
    }

    /// The kubelet drop-in directory the layout uses when no `--config-dir` flag names one:
    /// k3s and RKE2 write their kubelet settings there.
    fn kubelet_dropin_dir(self) -> Option<&'static str> {
        match self {
            Distribution::K3s => Some("/var/lib/rancher/k3s/agent/etc/kubelet.conf.d"),
            Distribution::Rke2 => Some("/var/lib/rancher/rke2/agent/etc/kubelet.conf.d"),
            _ => None,
        }
    }

    /// The k3s/RKE2 configuration file.
    fn rancher_config(self) -> Option<&'static str> {
        match self {
            Distribution::K3s => Some("/etc/rancher/k3s/config.yaml"),
            Distribution::Rke2 => Some("/etc/rancher/rke2/config.yaml"),
            _ => None,
        }
    }
}

/// Whether the node runs the control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Master,
    Worker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Worker => "worker",
        }
    }
}

/// A component found on the node, with its flags.
#[derive(Debug, Clone)]
pub struct Running {
    pub component: Component,
    pub flags: Flags,
    /// Where it was found: the manifest, unit or process it was read from.
    pub source: String,
}

/// A problem reading the node's files: reported, and the audit goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

/// A setting read from a configuration file, with where it was.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: String,
    pub root: YamlNode,
}

impl ConfigFile {
    /// The node at a dotted path (`authentication.anonymous.enabled`).
    pub fn at(&self, path: &str) -> Option<&YamlNode> {
        self.root.at(path)
    }
}

/// Options of an audit.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub distribution: Option<Distribution>,
    pub role: Option<Role>,
    /// Where the running processes are (`/proc` of the node); none to skip them.
    pub proc_dir: Option<std::path::PathBuf>,
}

/// Everything the benchmark looks at on one node.
#[derive(Debug)]
pub struct NodeView {
    pub fs: NodeFs,
    pub distribution: Distribution,
    pub role: Role,
    pub running: Vec<Running>,
    /// The kubelet configuration file, when the kubelet uses one.
    pub kubelet_config: Option<ConfigFile>,
    /// The drop-in files of the kubelet's `--config-dir`, in the order the kubelet merges
    /// them over the configuration file (by name).
    pub kubelet_dropins: Vec<ConfigFile>,
    /// The node path of the kubelet configuration file, found or expected.
    pub kubelet_config_path: Option<String>,
    /// The kubelet's systemd unit files that were read.
    pub kubelet_units: Vec<String>,
    pub problems: Vec<Problem>,
}

impl NodeView {
    pub fn load(fs: NodeFs, opts: &Options) -> NodeView {
        let distribution = opts.distribution.unwrap_or_else(|| Distribution::detect(&fs));
        let mut view = NodeView {
            fs,
            distribution,
            role: Role::Worker,
            running: Vec::new(),
            kubelet_config: None,
            kubelet_dropins: Vec::new(),
            kubelet_config_path: None,
            kubelet_units: Vec::new(),
            problems: Vec::new(),
        };
        view.read_static_pods();
        view.read_rancher_config();
        view.read_kubelet_units();
        if let Some(proc_dir) = &opts.proc_dir {
            view.read_processes(proc_dir);
        }
        view.read_kubelet_config();
        let control_plane = view.running.iter().any(|r| {
            matches!(
                r.component,
                Component::ApiServer | Component::ControllerManager | Component::Scheduler | Component::Etcd
            )
        });
        view.role = opts
            .role
            .unwrap_or(if control_plane { Role::Master } else { Role::Worker });
        view
    }

    /// The component's flags, when it was found on the node.
    pub fn component(&self, c: Component) -> Option<&Running> {
        self.running.iter().find(|r| r.component == c)
    }

    fn problem(&mut self, file: &str, pos: Option<Pos>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: file.to_string(),
            line: pos.filter(|p| p.is_known()).map(|p| p.line),
            message: message.into(),
        });
    }

    fn read_text(&mut self, path: &str) -> Option<String> {
        match self.fs.read(path) {
            Ok(t) => Some(t),
            Err(FsError::NotFound) => None,
            Err(e) => {
                self.problem(path, None, format!("cannot read: {e}"));
                None
            }
        }
    }

    fn read_static_pods(&mut self) {
        let dir = self.distribution.manifest_dir();
        for path in self.fs.list(dir) {
            // The kubelet reads every file of the directory except hidden ones.
            if path.rsplit('/').next().is_none_or(|n| n.starts_with('.')) {
                continue;
            }
            let Some(text) = self.read_text(&path) else {
                continue;
            };
            let source = Arc::new(Source::new(path.clone(), Some(text)));
            let parsed = parse_source(&source, &Limits::default());
            for e in &parsed.errors {
                self.problem(&path, Some(e.pos), format!("not a valid manifest: {}", e.message));
            }
            for obj in &parsed.objects {
                if obj.kind != "Pod" {
                    continue;
                }
                let Some(containers) = obj.root.at("spec.containers").and_then(YamlNode::as_seq) else {
                    self.problem(&path, Some(obj.pos()), "a Pod without spec.containers");
                    continue;
                };
                for c in containers {
                    let words: Vec<(&str, Pos)> = ["command", "args"]
                        .iter()
                        .filter_map(|k| c.get(k))
                        .flat_map(YamlNode::items)
                        .filter_map(|n| n.scalar_text().map(|t| (t, n.pos)))
                        .collect();
                    let Some(((program, _), rest)) = words.split_first() else {
                        continue;
                    };
                    let Some(component) = Component::from_binary(program) else {
                        continue;
                    };
                    if component == Component::Kubelet {
                        continue;
                    }
                    let flags = Flags::parse(rest.iter().map(|(w, pos)| {
                        (
                            *w,
                            Origin {
                                file: path.clone(),
                                pos: Some(*pos),
                            },
                        )
                    }));
                    self.add_running(component, flags, path.clone());
                }
            }
        }
    }

    fn add_running(&mut self, component: Component, flags: Flags, source: String) {
        if let Some(r) = self.running.iter_mut().find(|r| r.component == component) {
            r.flags.extend(flags);
        } else {
            self.running.push(Running {
                component,
                flags,
                source,
            });
        }
    }

    /// k3s and RKE2 run the control plane in one process configured by
    /// `/etc/rancher/<dist>/config.yaml`: `kube-apiserver-arg` and friends carry the
    /// components' extra flags.
    fn read_rancher_config(&mut self) {
        let Some(path) = self.distribution.rancher_config() else {
            return;
        };
        let text = self.read_text(path).unwrap_or_default();
        let loaded = yaml::load(&text, &Limits::default());
        for e in &loaded.errors {
            self.problem(path, Some(e.pos), format!("not valid YAML: {}", e.message));
        }
        let root = loaded.docs.into_iter().next().map(|d| d.root);
        let server = self.fs.exists(self.distribution.kube_dir());
        let kinds: &[Component] = if server {
            &Component::ALL
        } else {
            &[Component::Kubelet, Component::Proxy]
        };
        let default_origin = Origin {
            file: format!("{} built-in default", self.distribution.as_str()),
            pos: None,
        };
        let embedded_etcd = self
            .fs
            .exists(&format!("{}/db/etcd", self.distribution.kube_dir()));
        for &c in kinds {
            if c == Component::Etcd && !embedded_etcd {
                continue; // SQLite or an external datastore: no etcd on this node
            }
            let mut defaults: Vec<&str> = rancher_defaults(self.distribution, c).to_vec();
            if embedded_etcd && c == Component::ApiServer && self.distribution == Distribution::K3s {
                defaults.extend(K3S_APISERVER_ETCD);
            }
            let mut flags = Flags::parse(defaults.iter().map(|w| (*w, default_origin.clone())));
            let mut words: Vec<(String, Pos)> = Vec::new();
            if let Some(node) = root.as_ref().and_then(|r| r.get(c.k3s_key())) {
                let items: Vec<&YamlNode> = match node.as_seq() {
                    Some(s) => s.iter().collect(),
                    None => vec![node],
                };
                for n in items {
                    if let Some(t) = n.scalar_text() {
                        // Values are given without the leading dashes: `profiling=false`.
                        let w = if t.starts_with('-') {
                            t.to_string()
                        } else {
                            format!("--{t}")
                        };
                        words.push((w, n.pos));
                    }
                }
            }
            flags.extend(Flags::parse(words.iter().map(|(w, p)| {
                (
                    w.as_str(),
                    Origin {
                        file: path.to_string(),
                        pos: Some(*p),
                    },
                )
            })));
            self.add_running(c, flags, path.to_string());
        }
    }

    /// The kubelet's systemd unit and drop-ins: `Environment=`, `EnvironmentFile=` and the
    /// last `ExecStart=`, with `$VAR` and `${VAR}` expanded the way systemd expands them.
    fn read_kubelet_units(&mut self) {
        if matches!(self.distribution, Distribution::K3s | Distribution::Rke2) {
            return;
        }
        let mut files = Vec::new();
        for dir in [
            "/usr/lib/systemd/system",
            "/lib/systemd/system",
            "/etc/systemd/system",
        ] {
            let unit = format!("{dir}/kubelet.service");
            if self.fs.exists(&unit) {
                files.push(unit);
            }
        }
        // Drop-ins apply in file-name order, whatever their directory; /etc wins over /usr
        // for the same name.
        let mut dropins: Vec<(String, String)> = Vec::new();
        for dir in [
            "/usr/lib/systemd/system/kubelet.service.d",
            "/lib/systemd/system/kubelet.service.d",
            "/etc/systemd/system/kubelet.service.d",
        ] {
            for p in self.fs.list(dir) {
                // systemd reads drop-ins named exactly `*.conf`.
                #[allow(clippy::case_sensitive_file_extension_comparisons)]
                if let Some(name) = p.rsplit('/').next().filter(|n| n.ends_with(".conf")) {
                    dropins.retain(|(n, _)| n != name);
                    dropins.push((name.to_string(), p.clone()));
                }
            }
        }
        dropins.sort();
        files.extend(dropins.into_iter().map(|(_, p)| p));
        if files.is_empty() {
            return;
        }
        let mut env: Vec<(String, String, Origin)> = Vec::new();
        let mut exec: Option<(String, Origin)> = None;
        for file in &files {
            let Some(text) = self.read_text(file) else {
                continue;
            };
            for (i, line) in logical_lines(&text) {
                let origin = Origin {
                    file: file.clone(),
                    pos: Some(Pos::new(i, 1)),
                };
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                match key.trim() {
                    "Environment" => {
                        for assignment in split_words(value) {
                            if let Some((k, v)) = assignment.split_once('=') {
                                env.push((k.to_string(), v.to_string(), origin.clone()));
                            }
                        }
                    }
                    "EnvironmentFile" => {
                        let p = value.trim().trim_start_matches('-');
                        if let Some(t) = self.read_text(p) {
                            for (j, l) in logical_lines(&t) {
                                let Some((k, v)) = l.split_once('=') else { continue };
                                let v = split_words(v).join(" ");
                                env.push((
                                    k.trim().to_string(),
                                    v,
                                    Origin {
                                        file: p.to_string(),
                                        pos: Some(Pos::new(j, 1)),
                                    },
                                ));
                            }
                        }
                    }
                    "ExecStart" => {
                        let v = value.trim();
                        exec = (!v.is_empty()).then(|| (v.to_string(), origin));
                    }
                    _ => {}
                }
            }
        }
        self.kubelet_units = files;
        let Some((cmd, origin)) = exec else { return };
        let mut words: Vec<(String, Origin)> = Vec::new();
        for w in split_words(&cmd) {
            let var = w
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .or_else(|| w.strip_prefix('$'));
            match var {
                Some(name) => {
                    if let Some((_, v, o)) = env.iter().rev().find(|(k, _, _)| k == name) {
                        for part in split_words(v) {
                            words.push((part, o.clone()));
                        }
                    }
                }
                None => words.push((w, origin.clone())),
            }
        }
        let Some(((program, _), rest)) = words.split_first() else {
            return;
        };
        if Component::from_binary(program) != Some(Component::Kubelet) {
            return;
        }
        let flags = Flags::parse(rest.iter().map(|(w, o)| (w.as_str(), o.clone())));
        self.add_running(Component::Kubelet, flags, origin.file.clone());
    }

    /// Components running on the node, from `/proc/<pid>/cmdline`, for those not found in
    /// manifests or unit files.
    fn read_processes(&mut self, proc_dir: &std::path::Path) {
        let Ok(entries) = std::fs::read_dir(proc_dir) else {
            return;
        };
        let mut pids: Vec<(u64, std::path::PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path())))
            .collect();
        pids.sort();
        for (pid, dir) in pids {
            let Ok(bytes) = std::fs::read(dir.join("cmdline")) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let args: Vec<&str> = text.split('\0').filter(|a| !a.is_empty()).collect();
            let Some((program, rest)) = args.split_first() else {
                continue;
            };
            let Some(component) = Component::from_binary(program) else {
                continue;
            };
            if self.component(component).is_some() {
                continue;
            }
            let file = format!("/proc/{pid}/cmdline");
            let flags = Flags::parse(rest.iter().map(|w| {
                (
                    *w,
                    Origin {
                        file: file.clone(),
                        pos: None,
                    },
                )
            }));
            self.add_running(component, flags, file);
        }
    }

    fn read_kubelet_config(&mut self) {
        let flag = |name: &str| {
            self.component(Component::Kubelet)
                .and_then(|k| k.flags.value(name))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let (flag_path, config_dir) = (flag("config"), flag("config-dir"));
        let path = flag_path.or_else(|| {
            self.distribution
                .kubelet_config_candidates()
                .iter()
                .find(|p| self.fs.exists(p))
                .map(|p| (*p).to_string())
        });
        if let Some(path) = path {
            self.kubelet_config_path = Some(path.clone());
            self.kubelet_config = self.read_kubelet_file(&path, "the kubelet configuration file (--config)");
        }
        // KubeletConfiguration drop-ins: every `*.conf` file of the directory, merged in
        // name order over the configuration file.
        // A directory the flag names must exist; the layout's default one may not.
        if let Some(dir) = &config_dir
            && !self.fs.exists(dir)
        {
            self.problem(
                dir,
                None,
                "the kubelet drop-in directory (--config-dir) does not exist",
            );
            return;
        }
        let config_dir = config_dir.or_else(|| {
            self.distribution
                .kubelet_dropin_dir()
                .filter(|d| self.fs.exists(d))
                .map(str::to_string)
        });
        if let Some(dir) = config_dir {
            let mut files: Vec<String> = self
                .fs
                .list(&dir)
                .into_iter()
                // The kubelet compares the extension exactly, as systemd does for units.
                .filter(|f| {
                    #[allow(clippy::case_sensitive_file_extension_comparisons)]
                    f.ends_with(".conf")
                })
                .collect();
            files.sort();
            for f in files {
                if let Some(c) = self.read_kubelet_file(&f, "the kubelet drop-in file") {
                    self.kubelet_dropins.push(c);
                }
            }
        }
    }

    fn read_kubelet_file(&mut self, path: &str, what: &str) -> Option<ConfigFile> {
        let text = match self.fs.read(path) {
            Ok(t) => t,
            Err(FsError::NotFound) => {
                self.problem(path, None, format!("{what} does not exist"));
                return None;
            }
            Err(e) => {
                self.problem(path, None, format!("cannot read {what}: {e}"));
                return None;
            }
        };
        let loaded = yaml::load(&text, &Limits::default());
        for e in &loaded.errors {
            self.problem(
                path,
                Some(e.pos),
                format!("not valid YAML or JSON: {}", e.message),
            );
        }
        match loaded.docs.into_iter().next() {
            Some(d) if d.root.as_map().is_some() => Some(ConfigFile {
                path: path.to_string(),
                root: d.root,
            }),
            Some(d) => {
                self.problem(path, Some(d.start), "the kubelet configuration is not a mapping");
                None
            }
            None => None,
        }
    }

    /// Whether the kubelet takes settings from files (a configuration file or drop-ins).
    pub fn kubelet_has_config(&self) -> bool {
        self.kubelet_config.is_some() || !self.kubelet_dropins.is_empty()
    }

    /// A kubelet configuration setting as the kubelet merges it: the last file (drop-ins
    /// after the configuration file) that sets it wins; mappings (feature gates) merge key
    /// by key. The text of the value, and the file and node that set it last.
    pub fn kubelet_setting(&self, field: &str) -> Option<(String, &ConfigFile, &YamlNode)> {
        let mut merged: Option<(String, &ConfigFile, &YamlNode)> = None;
        let mut pairs: Vec<(String, String)> = Vec::new();
        for file in self.kubelet_config.iter().chain(&self.kubelet_dropins) {
            let Some(n) = file.at(field) else { continue };
            if let Some(entries) = n.as_map() {
                for (k, v) in entries {
                    let v = v.scalar_text().unwrap_or("").to_string();
                    match pairs.iter_mut().find(|(key, _)| key.as_str() == &*k.name) {
                        Some(pair) => pair.1 = v,
                        None => pairs.push((k.name.to_string(), v)),
                    }
                }
                let text = pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                merged = Some((text, file, n));
            } else {
                pairs.clear();
                merged = setting_text(n).map(|t| (t, file, n));
            }
        }
        merged
    }
}

/// A configuration value as text: scalars as written, lists joined with commas.
fn setting_text(n: &YamlNode) -> Option<String> {
    if let Some(t) = n.scalar_text() {
        return Some(t.to_string());
    }
    n.as_seq().map(|items| {
        items
            .iter()
            .filter_map(|i| i.scalar_text())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The flags k3s and RKE2 give each embedded component before the configured extra flags
/// (from their control-plane and agent sources), with their default file locations.
fn rancher_defaults(d: Distribution, c: Component) -> &'static [&'static str] {
    match (d, c) {
        (Distribution::K3s, Component::ApiServer) => &[
            "--allow-privileged=true",
            "--anonymous-auth=false",
            "--authorization-mode=Node,RBAC",
            "--bind-address=127.0.0.1",
            "--client-ca-file=/var/lib/rancher/k3s/server/tls/client-ca.crt",
            "--enable-admission-plugins=NodeRestriction",
            "--kubelet-certificate-authority=/var/lib/rancher/k3s/server/tls/server-ca.crt",
            "--kubelet-client-certificate=/var/lib/rancher/k3s/server/tls/client-kube-apiserver.crt",
            "--kubelet-client-key=/var/lib/rancher/k3s/server/tls/client-kube-apiserver.key",
            "--profiling=false",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=/var/lib/rancher/k3s/server/tls/service.key",
            "--service-account-signing-key-file=/var/lib/rancher/k3s/server/tls/service.current.key",
            "--tls-cert-file=/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt",
            "--tls-private-key-file=/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.key",
        ],
        (Distribution::K3s, Component::ControllerManager) => &[
            "--bind-address=127.0.0.1",
            "--profiling=false",
            "--root-ca-file=/var/lib/rancher/k3s/server/tls/server-ca.crt",
            "--service-account-private-key-file=/var/lib/rancher/k3s/server/tls/service.current.key",
            "--use-service-account-credentials=true",
        ],
        (Distribution::K3s, Component::Scheduler) => &["--bind-address=127.0.0.1", "--profiling=false"],
        (Distribution::K3s, Component::Kubelet) => &[
            "--anonymous-auth=false",
            "--authorization-mode=Webhook",
            "--client-ca-file=/var/lib/rancher/k3s/agent/client-ca.crt",
            "--kubeconfig=/var/lib/rancher/k3s/agent/kubelet.kubeconfig",
            "--read-only-port=0",
            "--tls-cert-file=/var/lib/rancher/k3s/agent/serving-kubelet.crt",
            "--tls-private-key-file=/var/lib/rancher/k3s/agent/serving-kubelet.key",
        ],
        (Distribution::K3s, Component::Etcd) => &[
            "--cert-file=/var/lib/rancher/k3s/server/tls/etcd/server-client.crt",
            "--client-cert-auth=true",
            "--data-dir=/var/lib/rancher/k3s/server/db/etcd",
            "--key-file=/var/lib/rancher/k3s/server/tls/etcd/server-client.key",
            "--peer-cert-file=/var/lib/rancher/k3s/server/tls/etcd/peer-server-client.crt",
            "--peer-client-cert-auth=true",
            "--peer-key-file=/var/lib/rancher/k3s/server/tls/etcd/peer-server-client.key",
            "--trusted-ca-file=/var/lib/rancher/k3s/server/tls/etcd/server-ca.crt",
        ],
        (Distribution::K3s, Component::Proxy) => {
            &["--kubeconfig=/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig"]
        }
        _ => &[],
    }
}

/// The etcd client flags k3s gives its API server when it runs the embedded etcd.
const K3S_APISERVER_ETCD: &[&str] = &[
    "--etcd-cafile=/var/lib/rancher/k3s/server/tls/etcd/server-ca.crt",
    "--etcd-certfile=/var/lib/rancher/k3s/server/tls/etcd/client.crt",
    "--etcd-keyfile=/var/lib/rancher/k3s/server/tls/etcd/client.key",
];

/// The lines of a unit or environment file with their 1-based numbers: comments dropped,
/// backslash continuations joined.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        if cur.is_none() && (line.trim_start().starts_with('#') || line.trim_start().starts_with(';')) {
            continue;
        }
        let (start, mut acc) = cur.take().unwrap_or((n, String::new()));
        if let Some(body) = line.strip_suffix('\\') {
            acc.push_str(body);
            acc.push(' ');
            cur = Some((start, acc));
        } else {
            acc.push_str(line);
            let t = acc.trim().to_string();
            if !t.is_empty() {
                out.push((start, t));
            }
        }
    }
    if let Some((start, acc)) = cur {
        out.push((start, acc.trim().to_string()));
    }
    out
}
