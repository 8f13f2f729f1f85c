//! The configuration file (`.rampart.yaml`): which checks run, their severities and
//! parameters, paths to ignore, and exceptions. Validation is strict: an unknown key, an
//! unknown check id or a value of the wrong type is an error naming the file and line.

use std::collections::BTreeMap;

use rampart_checks::{Check, Enabled, ParamDefault, ParamValue, Params, Severity};
use rampart_model::{Limits, Node, Pos, Value};

use crate::date::Date;

/// A configuration error, with the file and position it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", pos.line, pos.col)]
pub struct ConfigError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

/// Settings for one check.
#[derive(Debug, Clone, Default)]
pub struct CheckSettings {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    pub params: Vec<(String, ParamValue)>,
    /// What the admission webhook does with this check's findings (wins over the mode of
    /// the finding's severity).
    pub mode: Option<Mode>,
}

/// What the admission webhook does with a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Only logged; the request is allowed.
    Audit,
    /// Allowed, with a warning that kubectl shows.
    Warn,
    /// Denied.
    Enforce,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "enforce" => Some(Mode::Enforce),
            "warn" => Some(Mode::Warn),
            "audit" => Some(Mode::Audit),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }
}

/// The `admission:` section: how `rampart admit` turns findings into decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    /// The mode of a finding by its severity, indexed as `Severity as usize`
    /// (info, low, medium, high, critical).
    pub modes: [Mode; 5],
    /// Whether the `rampart.dev/break-glass` annotation lets an object through.
    pub break_glass: bool,
    /// Namespaces whose objects are not judged (glob patterns).
    pub exclude_namespaces: Vec<String>,
    /// Users whose requests are not judged (glob patterns).
    pub exclude_users: Vec<String>,
    /// Groups whose members' requests are not judged (glob patterns).
    pub exclude_groups: Vec<String>,
    /// On UPDATE, findings the old object already had are warned about, not enforced.
    pub allow_existing_violations: bool,
    /// Whether suppression annotations on the object (`ignore-check.rampart.dev/...`,
    /// `rampart.dev/ignore-all`) count at admission. Whoever can create the object can
    /// write them; `false` leaves only the configuration's exceptions.
    pub honor_annotations: bool,
}

impl Default for Admission {
    fn default() -> Self {
        Admission {
            modes: [Mode::Audit, Mode::Warn, Mode::Warn, Mode::Enforce, Mode::Enforce],
            break_glass: true,
            exclude_namespaces: vec!["kube-system".to_string(), "rampart".to_string()],
            exclude_users: Vec::new(),
            exclude_groups: vec!["system:nodes".to_string()],
            allow_existing_violations: true,
            honor_annotations: true,
        }
    }
}

impl Admission {
    pub fn mode_of(&self, severity: Severity) -> Mode {
        self.modes[severity as usize]
    }
}

/// A documented, reasoned, optionally expiring exception.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Check ids (canonical), or `*` for all.
    pub checks: Vec<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub container: Option<String>,
    pub paths: Vec<String>,
    pub reason: String,
    pub expires: Option<Date>,
    pub ticket: Option<String>,
    /// `file:line` where the exception is declared.
    pub origin: String,
}

/// An accepted deviation from a CIS Kubernetes Benchmark node item (`rampart node`).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeException {
    /// Benchmark item ids (`1.2.16`), or `*` for all.
    pub items: Vec<String>,
    /// Node-name globs; empty for every node.
    pub nodes: Vec<String>,
    pub reason: String,
    pub expires: Option<Date>,
    pub ticket: Option<String>,
    /// `file:line` where the exception is declared.
    pub origin: String,
}

impl NodeException {
    /// Whether it covers item `id` on node `node`.
    pub fn covers(&self, id: &str, node: &str) -> bool {
        self.items.iter().any(|i| i == "*" || i == id)
            && (self.nodes.is_empty()
                || self
                    .nodes
                    .iter()
                    .any(|g| rampart_checks::util::glob_match(g, node)))
    }
}

/// An accepted vulnerability (`vulnerability-exceptions:`): a finding of `rampart image scan`
/// or `rampart deps` whose advisory id or alias is one of `ids`, in a package and image the
/// selectors allow, is reported as suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct VulnException {
    /// Advisory ids or aliases (`CVE-2024-3094`, `GHSA-...`, `DSA-5678-1`, `ALSA-...`);
    /// never `*`.
    pub ids: Vec<String>,
    /// A glob on the package name (or its source package's name), or a purl prefix when it
    /// starts with `pkg:` (`pkg:deb/debian/openssl` matches every version).
    pub package: Option<String>,
    /// A glob on the image reference as the user wrote it, or the image's digest
    /// (`sha256:...`). An exception with an image selector never matches `rampart deps`.
    pub image: Option<String>,
    pub reason: String,
    pub expires: Option<Date>,
    pub ticket: Option<String>,
    /// `file:line` where the exception is declared.
    pub origin: String,
}

/// The whole configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from (empty when defaults are used).
    pub file: String,
    pub checks: BTreeMap<String, CheckSettings>,
    pub ignore_paths: Vec<String>,
    pub exceptions: Vec<Exception>,
    /// Exceptions for `rampart node` results.
    pub node_exceptions: Vec<NodeException>,
    /// Accepted vulnerabilities for `rampart image scan` and `rampart deps`.
    pub vulnerability_exceptions: Vec<VulnException>,
    pub fail_on: Option<Severity>,
    /// The Kubernetes minor version the manifests target (`kubernetes-version: "1.33"`):
    /// sets the `kubernetes-version` parameter of every version-aware check that does not
    /// set its own.
    pub kubernetes_version: Option<u32>,
    /// How `rampart admit` decides (modes, break-glass, exclusions).
    pub admission: Admission,
}

const TOP_KEYS: &[&str] = &[
    "checks",
    "ignore-paths",
    "exceptions",
    "node-exceptions",
    "vulnerability-exceptions",
    "fail-on",
    "kubernetes-version",
    "admission",
];
const ADMISSION_KEYS: &[&str] = &[
    "modes",
    "break-glass",
    "exclude-namespaces",
    "exclude-users",
    "exclude-groups",
    "allow-existing-violations",
    "honor-annotations",
];
const NODE_EXCEPTION_KEYS: &[&str] = &["item", "items", "node", "nodes", "reason", "expires", "ticket"];
const VULN_EXCEPTION_KEYS: &[&str] = &["id", "ids", "package", "image", "reason", "expires", "ticket"];
const CHECK_KEYS: &[&str] = &["enabled", "severity", "params", "mode"];
const EXCEPTION_KEYS: &[&str] = &[
    "check",
    "checks",
    "kind",
    "namespace",
    "name",
    "container",
    "paths",
    "reason",
    "expires",
    "ticket",
];

struct Ctx<'a> {
    file: &'a str,
    errors: Vec<ConfigError>,
}

impl Ctx<'_> {
    fn err(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors.push(ConfigError {
            file: self.file.to_string(),
            pos,
            message: message.into(),
        });
    }

    fn keys<'n>(&mut self, node: &'n Node, allowed: &[&str], what: &str) -> Vec<(&'n str, &'n Node)> {
        let Some(map) = node.as_map() else {
            if !node.is_null() {
                self.err(node.pos, format!("{what} must be a mapping"));
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in map {
            if allowed.contains(&k.name.as_str()) {
                out.push((k.name.as_str(), v));
            } else {
                let hint = suggest(&k.name, allowed.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                self.err(
                    k.pos,
                    format!(
                        "unknown key `{}` in {what}{hint}; expected one of: {}",
                        k.name,
                        allowed.join(", ")
                    ),
                );
            }
        }
        out
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.scalar_text() {
            Some(s) if !node.is_null() => Some(s.to_string()),
            _ => {
                self.err(node.pos, format!("{what} must be a string"));
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        if node.as_scalar().is_some() && !node.is_null() {
            return vec![node.scalar_text().unwrap_or_default().to_string()];
        }
        let Some(items) = node.as_seq() else {
            self.err(node.pos, format!("{what} must be a list of strings"));
            return Vec::new();
        };
        items.iter().filter_map(|i| self.string(i, what)).collect()
    }

    fn version(&mut self, node: &Node) -> Option<u32> {
        let text = node.scalar_text().unwrap_or_default();
        let v = rampart_checks::parse_kubernetes_version(text);
        if v.is_none() {
            self.err(
                node.pos,
                format!(
                    "`{text}` is not a Kubernetes version; expected a version such as \"1.33\" \
                     (`v1.33` and `1.33.2` are read the same)"
                ),
            );
        }
        v
    }

    fn severity(&mut self, node: &Node) -> Option<Severity> {
        let s = node.scalar_text().unwrap_or_default();
        let sev = Severity::parse(&s.to_ascii_lowercase());
        if sev.is_none() {
            self.err(
                node.pos,
                format!("unknown severity `{s}`; expected critical, high, medium, low or info"),
            );
        }
        sev
    }

    fn mode(&mut self, node: &Node) -> Option<Mode> {
        let s = node.scalar_text().unwrap_or_default();
        let mode = Mode::parse(&s.to_ascii_lowercase());
        if mode.is_none() {
            self.err(
                node.pos,
                format!("unknown admission mode `{s}`; expected enforce, warn or audit"),
            );
        }
        mode
    }

    /// The checks an exception's check id names: a Rampart id, or another tool's id that
    /// Rampart checks list as an equivalent.
    fn check_ids(&mut self, node: &Node) -> Vec<&'static Check> {
        let Some(id) = self.string(node, "a check id") else {
            return Vec::new();
        };
        let found = rampart_checks::resolve(&id);
        if found.is_empty() {
            let hint = suggest(&id, rampart_checks::all().iter().map(|c| c.meta.id))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            self.err(
                node.pos,
                format!("unknown check `{id}`{hint}; `rampart checks` lists them"),
            );
        }
        found
    }
}

/// The closest candidate by edit distance, when it is close enough to be a typo.
fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (rampart_checks::util::edit_distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

impl Config {
    /// Parses and validates a configuration text. All errors are returned, not just the first.
    pub fn parse(file: &str, text: &str) -> Result<Config, Vec<ConfigError>> {
        let mut cx = Ctx {
            file,
            errors: Vec::new(),
        };
        let loaded = rampart_model::yaml::load(text, &Limits::default());
        for e in &loaded.errors {
            cx.err(e.pos, e.message.clone());
        }
        for w in &loaded.warnings {
            cx.err(w.pos, w.message.clone());
        }
        if loaded.docs.len() > 1 {
            cx.err(
                loaded.docs[1].start,
                "the configuration must be a single YAML document",
            );
        }
        let mut config = Config {
            file: file.to_string(),
            ..Config::default()
        };
        if let Some(doc) = loaded.docs.first() {
            config.read(&mut cx, &doc.root);
        }
        if cx.errors.is_empty() {
            Ok(config)
        } else {
            Err(cx.errors)
        }
    }

    fn read(&mut self, cx: &mut Ctx<'_>, root: &Node) {
        for (key, value) in cx.keys(root, TOP_KEYS, "the configuration") {
            match key {
                "checks" => self.read_checks(cx, value),
                "ignore-paths" => self.ignore_paths = cx.strings(value, "ignore-paths"),
                "fail-on" => self.fail_on = cx.severity(value),
                "kubernetes-version" => self.kubernetes_version = cx.version(value),
                "admission" => self.read_admission(cx, value),
                "exceptions" => {
                    for item in value.items() {
                        if let Some(e) = read_exception(cx, item) {
                            self.exceptions.push(e);
                        }
                    }
                    if value.as_seq().is_none() && !value.is_null() {
                        cx.err(value.pos, "exceptions must be a list");
                    }
                }
                "vulnerability-exceptions" => {
                    for item in value.items() {
                        if let Some(e) = read_vuln_exception(cx, item) {
                            self.vulnerability_exceptions.push(e);
                        }
                    }
                    if value.as_seq().is_none() && !value.is_null() {
                        cx.err(value.pos, "vulnerability-exceptions must be a list");
                    }
                }
                "node-exceptions" => {
                    for item in value.items() {
                        if let Some(e) = read_node_exception(cx, item) {
                            self.node_exceptions.push(e);
                        }
                    }
                    if value.as_seq().is_none() && !value.is_null() {
                        cx.err(value.pos, "node-exceptions must be a list");
                    }
                }
                _ => unreachable!("keys() filters unknown keys"),
            }
        }
    }

    fn read_checks(&mut self, cx: &mut Ctx<'_>, node: &Node) {
        let Some(map) = node.as_map() else {
            if !node.is_null() {
                cx.err(node.pos, "checks must be a mapping of check id to settings");
            }
            return;
        };
        for (k, v) in map {
            let Some(check) = rampart_checks::find(&k.name) else {
                let hint = suggest(&k.name, rampart_checks::all().iter().map(|c| c.meta.id))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                cx.err(
                    k.pos,
                    format!("unknown check `{}`{hint}; `rampart checks` lists them", k.name),
                );
                continue;
            };
            let mut settings = CheckSettings::default();
            // `check-id: false` / `check-id: true` is shorthand for enabled.
            if let Some(b) = v.as_bool() {
                settings.enabled = Some(b);
            } else {
                for (key, value) in cx.keys(v, CHECK_KEYS, &format!("settings of `{}`", k.name)) {
                    match key {
                        "enabled" => match value.as_bool() {
                            Some(b) => settings.enabled = Some(b),
                            None => cx.err(value.pos, "enabled must be true or false"),
                        },
                        "severity" => settings.severity = cx.severity(value),
                        "params" => settings.params = read_params(cx, check, value),
                        "mode" => settings.mode = cx.mode(value),
                        _ => unreachable!(),
                    }
                }
            }
            self.checks.insert(check.meta.id.to_string(), settings);
        }
    }

    fn read_admission(&mut self, cx: &mut Ctx<'_>, node: &Node) {
        for (key, value) in cx.keys(node, ADMISSION_KEYS, "admission") {
            let a = &mut self.admission;
            match key {
                "modes" => {
                    let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
                    for (sev, mode) in cx.keys(value, &names, "admission.modes") {
                        if let (Some(sev), Some(mode)) = (Severity::parse(sev), cx.mode(mode)) {
                            a.modes[sev as usize] = mode;
                        }
                    }
                }
                "break-glass" => match value.as_bool() {
                    Some(b) => a.break_glass = b,
                    None => cx.err(value.pos, "break-glass must be true or false"),
                },
                "exclude-namespaces" => a.exclude_namespaces = cx.strings(value, "exclude-namespaces"),
                "exclude-users" => a.exclude_users = cx.strings(value, "exclude-users"),
                "exclude-groups" => a.exclude_groups = cx.strings(value, "exclude-groups"),
                "honor-annotations" => match value.as_bool() {
                    Some(b) => a.honor_annotations = b,
                    None => cx.err(value.pos, "honor-annotations must be true or false"),
                },
                "allow-existing-violations" => match value.as_bool() {
                    Some(b) => a.allow_existing_violations = b,
                    None => cx.err(value.pos, "allow-existing-violations must be true or false"),
                },
                _ => unreachable!("keys() filters unknown keys"),
            }
        }
    }

    /// What the admission webhook does with a finding of `check` at `severity`: the
    /// check's own mode when the configuration sets one, else the severity's.
    pub fn mode_for(&self, check: &str, severity: Severity) -> Mode {
        self.checks
            .get(check)
            .and_then(|s| s.mode)
            .unwrap_or_else(|| self.admission.mode_of(severity))
    }

    /// The checks to run, with configured severities and parameters. `extra_enabled` and
    /// `extra_disabled` come from the command line and win over the file.
    pub fn enabled_checks(&self, extra_enabled: &[String], extra_disabled: &[String]) -> Vec<Enabled> {
        rampart_checks::all()
            .iter()
            .copied()
            .filter_map(|check| {
                let id = check.meta.id;
                let settings = self.checks.get(id);
                let mut on = settings
                    .and_then(|s| s.enabled)
                    .unwrap_or(check.meta.enabled_by_default);
                // `all` first, then individual ids, so `--disable all --enable X` runs only X
                // and `--enable all --disable X` runs everything but X.
                if extra_disabled.iter().any(|e| e == "all") {
                    on = false;
                }
                if extra_enabled.iter().any(|e| e == "all") {
                    on = true;
                }
                if extra_enabled.iter().any(|e| e == id) {
                    on = true;
                }
                if extra_disabled.iter().any(|e| e == id) {
                    on = false;
                }
                if !on {
                    return None;
                }
                let mut params = Params::defaults(&check.meta);
                if let Some(v) = self.kubernetes_version {
                    params.set_kubernetes_version(&check.meta, v);
                }
                for (name, value) in settings.map(|s| s.params.as_slice()).unwrap_or_default() {
                    params.set(name, value.clone());
                }
                Some(Enabled {
                    check,
                    severity: settings.and_then(|s| s.severity).unwrap_or(check.meta.severity),
                    params,
                })
            })
            .collect()
    }
}

fn read_params(cx: &mut Ctx<'_>, check: &'static Check, node: &Node) -> Vec<(String, ParamValue)> {
    let allowed: Vec<&str> = check.meta.params.iter().map(|p| p.name).collect();
    if allowed.is_empty() {
        cx.err(node.pos, format!("check `{}` has no parameters", check.meta.id));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (name, value) in cx.keys(node, &allowed, &format!("params of `{}`", check.meta.id)) {
        let spec = check
            .meta
            .params
            .iter()
            .find(|p| p.name == name)
            .expect("allowed");
        let v = match spec.default {
            ParamDefault::Bool(_) => value.as_bool().map(ParamValue::Bool),
            ParamDefault::Int(_) => value.as_i64().map(ParamValue::Int),
            // The scalar's text is kept as written, so an unquoted 1.30 stays "1.30".
            ParamDefault::Version(_) => match cx.version(value) {
                Some(v) => Some(ParamValue::Version(v)),
                None => continue, // reported by version()
            },
            ParamDefault::Strings(_) => match &value.value {
                Value::Seq(items) if items.iter().all(|i| i.as_scalar().is_some() && !i.is_null()) => {
                    Some(ParamValue::Strings(
                        items
                            .iter()
                            .filter_map(Node::scalar_text)
                            .map(str::to_string)
                            .collect(),
                    ))
                }
                _ => None,
            },
        };
        match v {
            Some(v) => out.push((name.to_string(), v)),
            None => cx.err(
                value.pos,
                format!(
                    "parameter `{name}` of `{}` must be a {}",
                    check.meta.id,
                    spec.default.type_name()
                ),
            ),
        }
    }
    out
}

/// The reason, expiry and ticket that every kind of exception carries.
#[derive(Default)]
struct Justification {
    reason: Option<String>,
    expires: Option<Date>,
    ticket: Option<String>,
}

impl Justification {
    /// Reads the `reason`, `expires` or `ticket` key of an exception.
    fn read(&mut self, cx: &mut Ctx<'_>, key: &str, value: &Node) {
        match key {
            "reason" => {
                let r = cx.string(value, "reason").unwrap_or_default();
                if r.trim().is_empty() {
                    cx.err(value.pos, "an exception's reason must not be empty");
                }
                self.reason = Some(r);
            }
            "expires" => match value.scalar_text().and_then(Date::parse) {
                Some(d) => self.expires = Some(d),
                None => cx.err(value.pos, "expires must be a date written YYYY-MM-DD"),
            },
            "ticket" => self.ticket = cx.string(value, "ticket"),
            _ => unreachable!("cx.keys returns only the keys it was given"),
        }
    }

    fn into_parts(self) -> (String, Option<Date>, Option<String>) {
        (self.reason.unwrap_or_default(), self.expires, self.ticket)
    }
}

fn read_exception(cx: &mut Ctx<'_>, node: &Node) -> Option<Exception> {
    let origin = format!("{}:{}", cx.file, node.pos.line);
    let mut e = Exception {
        checks: Vec::new(),
        kind: None,
        namespace: None,
        name: None,
        container: None,
        paths: Vec::new(),
        reason: String::new(),
        expires: None,
        ticket: None,
        origin,
    };
    let mut justification = Justification::default();
    let mut has_check = false;
    let before = cx.errors.len();
    for (key, value) in cx.keys(node, EXCEPTION_KEYS, "an exception") {
        match key {
            "check" | "checks" => {
                has_check = true;
                let items = one_or_many(value);
                for item in items {
                    if item.scalar_text() == Some("*") {
                        e.checks.push("*".into());
                    } else {
                        e.checks
                            .extend(cx.check_ids(item).into_iter().map(|c| c.meta.id.to_string()));
                    }
                }
            }
            "kind" => e.kind = cx.string(value, "kind"),
            "namespace" => e.namespace = cx.string(value, "namespace"),
            "name" => e.name = cx.string(value, "name"),
            "container" => e.container = cx.string(value, "container"),
            "paths" => e.paths = cx.strings(value, "paths"),
            _ => justification.read(cx, key, value),
        }
    }
    if node.as_map().is_some() {
        if !has_check {
            cx.err(
                node.pos,
                "an exception needs `checks` (a list of check ids, or \"*\")",
            );
        }
        if justification.reason.is_none() {
            cx.err(
                node.pos,
                "an exception needs a `reason`: say why the deviation is acceptable",
            );
        }
    }
    (e.reason, e.expires, e.ticket) = justification.into_parts();
    (cx.errors.len() == before).then_some(e)
}

/// A value written as one item or as a list of them.
fn one_or_many(value: &Node) -> Vec<&Node> {
    match value.as_seq() {
        Some(s) => s.iter().collect(),
        None => vec![value],
    }
}

fn read_node_exception(cx: &mut Ctx<'_>, node: &Node) -> Option<NodeException> {
    let mut e = NodeException {
        items: Vec::new(),
        nodes: Vec::new(),
        reason: String::new(),
        expires: None,
        ticket: None,
        origin: format!("{}:{}", cx.file, node.pos.line),
    };
    let before = cx.errors.len();
    let mut justification = Justification::default();
    let mut has_items = false;
    for (key, value) in cx.keys(node, NODE_EXCEPTION_KEYS, "a node exception") {
        match key {
            "item" | "items" => {
                has_items = true;
                let list = one_or_many(value);
                for item in list {
                    match item.scalar_text() {
                        Some(id) if id == "*" || is_item_id(id) => e.items.push(id.to_string()),
                        _ => cx.err(
                            item.pos,
                            "a benchmark item id looks like `1.2.16` or `4.2.1` (`rampart node --list` shows them)",
                        ),
                    }
                }
            }
            "node" | "nodes" => {
                let list = one_or_many(value);
                for item in list {
                    if let Some(n) = cx.string(item, "node") {
                        e.nodes.push(n);
                    }
                }
            }
            _ => justification.read(cx, key, value),
        }
    }
    if node.as_map().is_some() {
        if !has_items {
            cx.err(
                node.pos,
                "a node exception needs `items` (benchmark item ids, or \"*\")",
            );
        }
        if justification.reason.is_none() {
            cx.err(
                node.pos,
                "a node exception needs a `reason`: say why the deviation is acceptable",
            );
        }
    }
    (e.reason, e.expires, e.ticket) = justification.into_parts();
    (cx.errors.len() == before).then_some(e)
}

fn read_vuln_exception(cx: &mut Ctx<'_>, node: &Node) -> Option<VulnException> {
    let mut e = VulnException {
        ids: Vec::new(),
        package: None,
        image: None,
        reason: String::new(),
        expires: None,
        ticket: None,
        origin: format!("{}:{}", cx.file, node.pos.line),
    };
    let before = cx.errors.len();
    let mut justification = Justification::default();
    let mut has_ids = false;
    for (key, value) in cx.keys(node, VULN_EXCEPTION_KEYS, "a vulnerability exception") {
        match key {
            "id" | "ids" => {
                has_ids = true;
                let list = one_or_many(value);
                if list.is_empty() {
                    cx.err(value.pos, "`ids` must name at least one advisory");
                }
                for item in list {
                    let Some(id) = cx.string(item, "an advisory id") else {
                        continue;
                    };
                    let id = id.trim();
                    if id.contains('*') || id.contains('?') {
                        cx.err(
                            item.pos,
                            format!(
                                "`{id}`: a vulnerability exception names advisories one by one; \
                                 patterns such as `*` would hide vulnerabilities nobody has looked at"
                            ),
                        );
                    } else if !is_advisory_id(id) {
                        cx.err(
                            item.pos,
                            format!(
                                "`{id}` is not an advisory id; expected an id such as CVE-2024-3094, \
                                 GHSA-xxxx-xxxx-xxxx, DSA-5678-1 or ALSA-2024:1234"
                            ),
                        );
                    } else {
                        e.ids.push(id.to_string());
                    }
                }
            }
            "package" => {
                e.package = cx.string(value, "package");
                if let Some(p) = e.package.as_deref()
                    && p.starts_with("pkg:")
                    && !is_purl_prefix(p)
                {
                    cx.err(
                        value.pos,
                        format!(
                            "`{p}` is not a package URL; expected pkg:TYPE/[NAMESPACE/]NAME[@VERSION], \
                             such as pkg:deb/debian/openssl or pkg:npm/lodash@4.17.20"
                        ),
                    );
                }
            }
            "image" => e.image = cx.string(value, "image"),
            _ => justification.read(cx, key, value),
        }
    }
    if node.as_map().is_some() {
        if !has_ids {
            cx.err(
                node.pos,
                "a vulnerability exception needs `ids` (advisory ids or aliases such as CVE-2024-3094)",
            );
        }
        if justification.reason.is_none() {
            cx.err(
                node.pos,
                "a vulnerability exception needs a `reason`: say why the vulnerability is acceptable",
            );
        }
    } else if node.is_null() {
        cx.err(node.pos, "a vulnerability exception must not be empty");
    }
    (e.reason, e.expires, e.ticket) = justification.into_parts();
    (cx.errors.len() == before).then_some(e)
}

/// `CVE-2024-3094`, `GHSA-...`, `DSA-5678-1`, `ALSA-2024:1234`, `RUSTSEC-2024-0001`,
/// `PYSEC-...`, `GO-2024-2687`: a letter prefix, a dash, then no spaces.
fn is_advisory_id(s: &str) -> bool {
    let Some((prefix, rest)) = s.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric())
        && prefix.bytes().any(|b| b.is_ascii_alphabetic())
        && !rest.is_empty()
        && !rest.chars().any(char::is_whitespace)
}

/// `pkg:TYPE/NAME` at least, a type of letters, digits, `.`, `+` and `-`.
fn is_purl_prefix(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("pkg:") else {
        return false;
    };
    let rest = rest.trim_start_matches('/');
    let Some((ty, path)) = rest.split_once('/') else {
        return false;
    };
    let path = path.split(['@', '?', '#']).next().unwrap_or("");
    !ty.is_empty()
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
        && path.rsplit('/').next().is_some_and(|n| !n.is_empty())
}

/// `1.2.16`, `2.1`: numbers separated by dots.
fn is_item_id(s: &str) -> bool {
    s.split('.').count() >= 2
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_exceptions_parse_and_match() {
        let c = Config::parse(
            "c.yaml",
            "node-exceptions:\n  - items: ['1.2.16', 4.2.1]\n    nodes: ['cp-*']\n    reason: audit goes to the cloud provider\n    expires: 2030-01-01\n",
        )
        .unwrap();
        let e = &c.node_exceptions[0];
        assert_eq!(e.items, ["1.2.16", "4.2.1"]);
        assert!(e.covers("1.2.16", "cp-1"));
        assert!(!e.covers("1.2.16", "worker-1"));
        assert!(!e.covers("1.2.17", "cp-1"));
        assert_eq!(e.origin, "c.yaml:2");
        let err = Config::parse(
            "c.yaml",
            "node-exceptions:\n  - items: [audit]\n    reason: x\n  - items: ['1.1.1']\n",
        )
        .unwrap_err();
        assert_eq!(err.len(), 2, "{err:?}");
        assert_eq!(err[0].pos.line, 2);
        assert_eq!(err[1].pos.line, 4);
    }

    #[test]
    fn admission_modes_by_severity_and_by_check() {
        let d = Config::default();
        assert_eq!(d.mode_for("host-network", Severity::Critical), Mode::Enforce);
        assert_eq!(d.mode_for("host-network", Severity::High), Mode::Enforce);
        assert_eq!(d.mode_for("host-network", Severity::Medium), Mode::Warn);
        assert_eq!(d.mode_for("host-network", Severity::Low), Mode::Warn);
        assert_eq!(d.mode_for("host-network", Severity::Info), Mode::Audit);
        assert!(d.admission.break_glass);
        assert!(d.admission.allow_existing_violations);
        assert!(d.admission.honor_annotations);
        assert_eq!(d.admission.exclude_namespaces, ["kube-system", "rampart"]);
        assert_eq!(d.admission.exclude_groups, ["system:nodes"]);

        let c = Config::parse(
            "c.yaml",
            "admission:\n  modes:\n    high: warn\n    low: audit\n  break-glass: false\n  exclude-namespaces: [infra-*]\n  exclude-users: ['system:serviceaccount:argocd:*']\n  exclude-groups: []\n  honor-annotations: false\nchecks:\n  host-network:\n    mode: enforce\n",
        )
        .unwrap();
        assert_eq!(c.mode_for("host-network", Severity::Low), Mode::Enforce);
        assert_eq!(c.mode_for("privileged-container", Severity::High), Mode::Warn);
        assert_eq!(
            c.mode_for("privileged-container", Severity::Critical),
            Mode::Enforce
        );
        assert_eq!(c.mode_for("privileged-container", Severity::Low), Mode::Audit);
        assert!(!c.admission.break_glass);
        assert_eq!(c.admission.exclude_namespaces, ["infra-*"]);
        assert_eq!(c.admission.exclude_users, ["system:serviceaccount:argocd:*"]);
        assert!(c.admission.exclude_groups.is_empty());
        assert!(!c.admission.honor_annotations);

        let err = Config::parse(
            "c.yaml",
            "admission:\n  modes:\n    hihg: warn\n    low: deny\n  break-glass: maybe\nchecks:\n  host-network:\n    mode: block\n",
        )
        .unwrap_err();
        let lines: Vec<u32> = err.iter().map(|e| e.pos.line).collect();
        assert_eq!(lines, [3, 4, 5, 8], "{err:?}");
        assert!(
            err[0].message.contains("did you mean `high`"),
            "{}",
            err[0].message
        );
        assert!(err[1].message.contains("expected enforce, warn or audit"));
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let err =
            Config::parse(".rampart.yaml", "checks:\n  host-network:\n    enabeld: false\n").unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].pos.line, 3);
        assert!(
            err[0].message.contains("did you mean `enabled`"),
            "{}",
            err[0].message
        );
        let err = Config::parse("c.yaml", "checkz: {}\n").unwrap_err();
        assert_eq!(err[0].pos.line, 1);
        assert!(err[0].message.contains("checkz"));
    }

    #[test]
    fn unknown_check_and_bad_severity() {
        let err = Config::parse(
            "c.yaml",
            "checks:\n  host-netwrk: false\n  privileged-container:\n    severity: urgent\n",
        )
        .unwrap_err();
        assert_eq!(err.len(), 2);
        assert!(err[0].message.contains("did you mean `host-network`"));
        assert_eq!(err[1].pos.line, 4);
    }

    #[test]
    fn exceptions_need_reason_and_valid_date() {
        let err = Config::parse(
            "c.yaml",
            "exceptions:\n  - checks: [host-network]\n    expires: 2027-02-30\n    reason: cni\n  - checks: ['*']\n",
        )
        .unwrap_err();
        assert_eq!(err.len(), 2, "{err:?}");
        assert_eq!(err[0].pos.line, 3);
        assert_eq!(err[1].pos.line, 5);
    }

    #[test]
    fn settings_apply() {
        let c = Config::parse(
            "c.yaml",
            "checks:\n  host-network:\n    severity: low\n  memory-limits-missing: false\nexceptions:\n  - check: host-network\n    name: 'calico-*'\n    reason: CNI\n    expires: 2030-01-01\n",
        )
        .unwrap();
        let enabled = c.enabled_checks(&[], &[]);
        assert!(enabled.iter().all(|e| e.check.meta.id != "memory-limits-missing"));
        let hn = enabled
            .iter()
            .find(|e| e.check.meta.id == "host-network")
            .unwrap();
        assert_eq!(hn.severity, Severity::Low);
        assert_eq!(c.exceptions[0].origin, "c.yaml:6");
        assert_eq!(c.exceptions[0].expires.unwrap().to_string(), "2030-01-01");
    }

    #[test]
    fn command_line_all_then_individual_ids() {
        let c = Config::parse("c.yaml", "checks:\n  host-pid: false\n").unwrap();
        let ids = |on: &[&str], off: &[&str]| -> Vec<&str> {
            let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
            c.enabled_checks(&s(on), &s(off))
                .iter()
                .map(|e| e.check.meta.id)
                .collect()
        };
        assert_eq!(ids(&["host-ipc"], &["all"]), ["host-ipc"]);
        let all_but = ids(&["all"], &["host-ipc"]);
        assert_eq!(all_but.len(), rampart_checks::all().len() - 1);
        assert!(!all_but.contains(&"host-ipc") && all_but.contains(&"host-pid"));
        assert!(!ids(&[], &[]).contains(&"host-pid"), "the file disabled it");
    }

    #[test]
    fn exceptions_accept_other_tools_ids() {
        let c = Config::parse(
            "c.yaml",
            "exceptions:\n  - checks: [KSV008, 'pss:privileged', checkov:CKV_K8S_19]\n    reason: node agent\n",
        )
        .unwrap();
        let checks = &c.exceptions[0].checks;
        assert!(checks.contains(&"host-ipc".to_string()), "{checks:?}");
        assert!(checks.contains(&"pss-privileged".to_string()), "{checks:?}");
        assert!(checks.contains(&"host-network".to_string()), "{checks:?}");
        let err =
            Config::parse("c.yaml", "exceptions:\n  - checks: [KSV999999]\n    reason: x\n").unwrap_err();
        assert!(err[0].message.contains("unknown check `KSV999999`"), "{err:?}");
    }

    #[test]
    fn vulnerability_exceptions_parse() {
        let c = Config::parse(
            ".rampart.yaml",
            "checks: {}\nvulnerability-exceptions:\n  - ids: [CVE-2023-5678, GHSA-xxxx-yyyy-zzzz]\n    package: 'libssl*'\n    image: 'registry.example/app:*'\n    reason: the service never parses untrusted certificates\n    expires: 2027-01-31\n    ticket: SEC-9\n  - id: DSA-5678-1\n    package: pkg:deb/debian/openssl\n    reason: fixed upstream, waiting for the rebuild\n",
        )
        .unwrap();
        let v = &c.vulnerability_exceptions;
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].ids, ["CVE-2023-5678", "GHSA-xxxx-yyyy-zzzz"]);
        assert_eq!(v[0].package.as_deref(), Some("libssl*"));
        assert_eq!(v[0].image.as_deref(), Some("registry.example/app:*"));
        assert_eq!(v[0].expires, Date::parse("2027-01-31"));
        assert_eq!(v[0].ticket.as_deref(), Some("SEC-9"));
        assert_eq!(v[0].origin, ".rampart.yaml:3");
        assert_eq!(v[1].ids, ["DSA-5678-1"]);
        assert_eq!(v[1].package.as_deref(), Some("pkg:deb/debian/openssl"));
        assert_eq!(v[1].image, None);
        assert_eq!(v[1].origin, ".rampart.yaml:9");
        assert!(c.exceptions.is_empty());
    }

    #[test]
    fn vulnerability_exception_errors_name_key_and_line() {
        let err = Config::parse(
            "c.yaml",
            concat!(
                "vulnerability-exceptions:\n",
                "  - ids: [CVE-2024-1]\n", // 2: no reason
                "  - ids: ['*']\n",        // 3: wildcard (line of the item)
                "    reason: everything\n",
                "  - ids: [CVE-2024-2]\n",
                "    packge: openssl\n", // 6: unknown key
                "    reason: typo\n",
                "  - reason: no ids\n", // 8: missing ids
                "  - ids: [CVE-2024-3]\n",
                "    reason: bad date\n",
                "    expires: 2027-02-30\n", // 11
                "  - ids: [not an id]\n",    // 12
                "    reason: x\n",
                "  - ids: [CVE-2024-4]\n",
                "    package: 'pkg:nope'\n", // 15
                "    reason: x\n",
                "  - ids: [CVE-2024-5]\n",
                "    reason: '  '\n", // 18: empty reason
            ),
        )
        .unwrap_err();
        let got: Vec<(u32, &str)> = err.iter().map(|e| (e.pos.line, e.message.as_str())).collect();
        let lines: Vec<u32> = got.iter().map(|g| g.0).collect();
        assert_eq!(lines, [2, 3, 6, 8, 11, 12, 15, 18], "{got:#?}");
        assert!(got[0].1.contains("needs a `reason`"), "{}", got[0].1);
        assert!(got[1].1.contains("one by one"), "{}", got[1].1);
        assert!(
            got[2].1.contains("unknown key `packge`") && got[2].1.contains("did you mean `package`"),
            "{}",
            got[2].1
        );
        assert!(got[3].1.contains("needs `ids`"), "{}", got[3].1);
        assert!(got[4].1.contains("YYYY-MM-DD"), "{}", got[4].1);
        assert!(got[5].1.contains("not an advisory id"), "{}", got[5].1);
        assert!(got[6].1.contains("not a package URL"), "{}", got[6].1);
        assert!(got[7].1.contains("must not be empty"), "{}", got[7].1);
        assert!(err[0].to_string().starts_with("c.yaml:2:"), "{}", err[0]);

        let err = Config::parse("c.yaml", "vulnerability-exceptions: {ids: x}\n").unwrap_err();
        assert!(err[0].message.contains("must be a list"), "{err:?}");
    }
}
