//! From an admission request to a decision: the same checks, configuration and exceptions
//! as `rampart scan`, then the admission modes (enforce, warn, audit), break-glass, and
//! the exclusions.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use rampart_checks::{Enabled, Finding, Severity, SuppressionKind};
use rampart_config::{Config, Date, Mode};
use rampart_model::{Object, Source};
use serde_json::Value;

use crate::review::{Answer, Review};

/// The annotation that lets an object through despite enforced findings.
pub const BREAK_GLASS: &str = "rampart.dev/break-glass";
/// The pseudo check id under which break-glass use is recorded.
pub const BREAK_GLASS_CHECK: &str = "break-glass";

/// The API server keeps at most this many characters of warnings per request.
pub const WARNINGS_BUDGET: usize = 4096;
/// ... and cuts each warning longer than this.
pub const WARNING_MAX: usize = 256;
/// Denial messages stay short enough to read in a terminal.
const MESSAGE_MAX_FINDINGS: usize = 6;

/// Owner kinds whose pods (or ReplicaSets, Jobs) are judged at the owner: a pod created by
/// a ReplicaSet of a Deployment is judged once, at the Deployment.
const JUDGED_OWNERS: &[(&str, &str)] = &[
    ("apps", "ReplicaSet"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("", "ReplicationController"),
];

/// The users Kubernetes' own controllers act as. Only their requests are trusted to carry
/// real owner references: anyone can write an `ownerReferences` entry into a pod.
const CONTROLLER_USERS: &[&str] = &[
    "system:kube-controller-manager",
    "system:serviceaccount:kube-system:*-controller",
];

/// A configuration ready to judge requests.
#[derive(Debug)]
pub struct Policy {
    pub config: Config,
    enabled: Vec<Enabled>,
}

impl Policy {
    pub fn new(config: Config) -> Policy {
        let enabled = config.enabled_checks(&[], &[]);
        Policy { config, enabled }
    }
}

/// What the webhook answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Allowed,
    Warned,
    Denied,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Warned => "warned",
            Verdict::Denied => "denied",
        }
    }
}

/// A finding with what the admission policy made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub check: String,
    pub severity: Severity,
    pub mode: Mode,
    pub container: Option<String>,
    pub path: String,
    pub message: String,
    /// Why the finding does not count: an exception or annotation, with its reason.
    pub excepted: Option<String>,
    /// On UPDATE: an enforced finding the old object had too, so only warned about.
    pub existing: bool,
}

/// The decision on one request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub verdict: Verdict,
    /// Why the object was not judged (excluded namespace, owned by a controller, ...).
    pub skipped: Option<String>,
    pub findings: Vec<Judged>,
    /// The break-glass reason, when the annotation let enforced findings through.
    pub break_glass: Option<String>,
    pub answer: Answer,
}

/// The namespaces the webhook has seen (through reviews of Namespace objects), for checks
/// that read a namespace's labels (Pod Security levels).
#[derive(Debug, Default)]
pub struct Namespaces(RwLock<HashMap<String, Arc<Value>>>);

impl Namespaces {
    pub fn insert(&self, name: &str, ns: Value) {
        if let Ok(mut m) = self.0.write() {
            m.insert(name.to_string(), Arc::new(ns));
        }
    }

    pub fn get(&self, name: &str) -> Option<Arc<Value>> {
        self.0.read().ok()?.get(name).cloned()
    }
}

fn matches_any(patterns: &[String], value: &str) -> bool {
    patterns
        .iter()
        .any(|p| rampart_checks::util::glob_match(p, value))
}

fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get("metadata")?.get("annotations")?.get(key)?.as_str()
}

/// The owner that judges this object instead, when a controller created it.
fn judged_owner(obj: &Value) -> Option<String> {
    let owners = obj.get("metadata")?.get("ownerReferences")?.as_array()?;
    owners.iter().find_map(|o| {
        if o.get("controller").and_then(Value::as_bool) != Some(true) {
            return None;
        }
        let api_version = o.get("apiVersion")?.as_str()?;
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let kind = o.get("kind")?.as_str()?;
        JUDGED_OWNERS
            .iter()
            .any(|(g, k)| *g == group && *k == kind)
            .then(|| format!("{kind} {}", o.get("name").and_then(Value::as_str).unwrap_or("")))
    })
}

fn allowed(skipped: impl Into<String>) -> Decision {
    Decision {
        verdict: Verdict::Allowed,
        skipped: Some(skipped.into()),
        findings: Vec::new(),
        break_glass: None,
        answer: Answer {
            allowed: true,
            ..Answer::default()
        },
    }
}

/// The object as the checks see it: namespace filled in from the request when the object
/// does not carry one, kind and apiVersion from the request when missing.
fn to_object(review: &Review, value: &Value, label: &str) -> Option<Object> {
    let map = value.as_object()?;
    let needs_namespace = !review.namespace.is_empty()
        && value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
    let source = Arc::new(Source::new(label.to_string(), None));
    if !needs_namespace && map.contains_key("apiVersion") && map.contains_key("kind") {
        return Object::from_json(source, value);
    }
    let mut v = value.clone();
    let map = v.as_object_mut()?;
    if !map.contains_key("apiVersion") {
        map.insert("apiVersion".into(), Value::String(review.kind.api_version()));
    }
    if !map.contains_key("kind") {
        map.insert("kind".into(), Value::String(review.kind.kind.clone()));
    }
    if needs_namespace {
        let meta = map
            .entry("metadata")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert("namespace".into(), Value::String(review.namespace.clone()));
        }
    }
    Object::from_json(source, &v)
}

/// Runs the checks and the exceptions on one object (with its namespace, when known).
/// Returns the findings about the object and the warnings about its annotations.
fn evaluate(policy: &Policy, obj: Object, ns: Option<Object>) -> (Vec<Finding>, Vec<String>) {
    let mut objects = vec![obj];
    objects.extend(ns);
    let mut findings: Vec<Finding> = rampart_checks::run_serial(&policy.enabled, &objects)
        .into_iter()
        .filter(|f| f.object == 0)
        .collect();
    let notes = rampart_config::policy::apply(&objects, &mut findings, &policy.config, None, Date::today());
    if !policy.config.admission.honor_annotations {
        for f in &mut findings {
            if f.suppressed
                .as_ref()
                .is_some_and(|s| s.kind == SuppressionKind::Annotation)
            {
                f.suppressed = None;
            }
        }
    }
    // Notes about the configuration (exceptions that matched nothing in this one object)
    // mean nothing here; notes about the object's own annotations do.
    let own = &objects[0].source.name;
    let notes = notes
        .into_iter()
        .filter(|n| &n.file == own)
        .map(|n| n.message)
        .collect();
    (findings, notes)
}

/// Judges one request.
pub fn judge(policy: &Policy, namespaces: &Namespaces, review: &Review) -> Decision {
    let adm = &policy.config.admission;
    if !matches!(review.operation.as_str(), "CREATE" | "UPDATE") {
        return allowed(format!("{} requests are not judged", review.operation));
    }
    if !review.sub_resource.is_empty() && review.sub_resource != "ephemeralcontainers" {
        return allowed(format!("the {} subresource is not judged", review.sub_resource));
    }
    let is_namespace = review.kind.group.is_empty() && review.kind.kind == "Namespace";
    let namespace = if is_namespace {
        review.name.as_str()
    } else {
        review.namespace.as_str()
    };
    if !namespace.is_empty() && matches_any(&adm.exclude_namespaces, namespace) {
        return allowed(format!("namespace {namespace} is excluded"));
    }
    if matches_any(&adm.exclude_users, &review.user) {
        return allowed(format!("user {} is excluded", review.user));
    }
    if let Some(g) = review.groups.iter().find(|g| matches_any(&adm.exclude_groups, g)) {
        return allowed(format!("group {g} is excluded"));
    }
    let Some(value) = &review.object else {
        return allowed("the request carries no object");
    };
    if value
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|d| !d.is_null())
    {
        return allowed("the object is being deleted");
    }
    if review.sub_resource.is_empty()
        && CONTROLLER_USERS
            .iter()
            .any(|p| rampart_checks::util::glob_match(p, &review.user))
        && let Some(owner) = judged_owner(value)
    {
        return allowed(format!("judged at its owner, {owner}"));
    }

    let label = format!("admission:{}", review.display());
    let known = rampart_checks::schema::Schema::get()
        .kind(&review.kind.api_version(), &review.kind.kind)
        .is_some();
    let mut warnings = Vec::new();
    if !known {
        let mut d = allowed(format!(
            "kind {} is not one Rampart knows",
            review.kind.api_version()
        ));
        d.answer.warnings = fit_warnings(vec![format!(
            "rampart: no checks know {} {}; allowed without evaluation",
            review.kind.api_version(),
            review.kind.kind
        )]);
        return d;
    }
    let ns_object = |ns: &str| {
        namespaces.get(ns).and_then(|v| {
            Object::from_json(
                Arc::new(Source::new(format!("admission:Namespace {ns}"), None)),
                &v,
            )
        })
    };
    let Some(obj) = to_object(review, value, &label) else {
        return allowed("the object is not a Kubernetes object");
    };
    let ns_name = obj.namespace.clone().unwrap_or_default();
    let (findings, notes) = evaluate(policy, obj, ns_object(&ns_name));
    warnings.extend(notes.into_iter().map(|n| format!("rampart: {n}")));

    // On UPDATE, a finding the old object already had is not enforced: scaling or
    // relabelling a workload admitted before a rule existed must keep working.
    // The old object is judged only when it can change the decision: when a finding of
    // the new one would be enforced.
    let enforces = findings
        .iter()
        .any(|f| f.suppressed.is_none() && policy.config.mode_for(f.check, f.severity) == Mode::Enforce);
    let existing: HashSet<String> = match (&review.old_object, review.operation.as_str()) {
        (Some(old), "UPDATE") if adm.allow_existing_violations && enforces => to_object(review, old, &label)
            .map(|o| {
                evaluate(policy, o, ns_object(&ns_name))
                    .0
                    .into_iter()
                    .filter(|f| f.suppressed.is_none())
                    .map(|f| f.fingerprint)
                    .collect()
            })
            .unwrap_or_default(),
        _ => HashSet::new(),
    };

    let mut judged: Vec<Judged> = findings
        .into_iter()
        .map(|f| {
            let mut mode = policy.config.mode_for(f.check, f.severity);
            let existing =
                mode == Mode::Enforce && f.suppressed.is_none() && existing.contains(&f.fingerprint);
            if existing {
                mode = Mode::Warn;
            }
            Judged {
                check: f.check.to_string(),
                severity: f.severity,
                mode,
                container: f.container,
                path: f.path,
                message: f.message,
                // Objects from a request have no lines: `admission:Pod ns/name:0` is shown
                // without the `:0`.
                excepted: f.suppressed.map(|s| {
                    format!(
                        "{} ({})",
                        s.reason,
                        s.source.strip_suffix(":0").unwrap_or(&s.source)
                    )
                }),
                existing,
            }
        })
        .collect();

    let counting = |m: Mode| judged.iter().filter(move |j| j.excepted.is_none() && j.mode == m);
    let enforced: Vec<&Judged> = counting(Mode::Enforce).collect();
    let mut break_glass = None;
    if let Some(reason) = annotation(value, BREAK_GLASS).map(str::trim) {
        if !adm.break_glass {
            warnings.push(format!(
                "rampart: the {BREAK_GLASS} annotation is ignored: break-glass is disabled in the Rampart configuration"
            ));
        } else if reason.is_empty() {
            warnings.push(format!(
                "rampart: the {BREAK_GLASS} annotation is ignored: its value must give the reason or ticket"
            ));
        } else {
            break_glass = Some(reason.to_string());
        }
    }
    let mut warned: Vec<&Judged> = counting(Mode::Warn).collect();
    warned.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.check.cmp(&b.check)));
    for j in warned {
        warnings.push(finding_line(j));
    }
    let verdict;
    let mut message = None;
    if let Some(reason) = &break_glass {
        // First what break-glass let through, in the order a denial would list it.
        let mut head = vec![format!(
            "rampart: break-glass used (\"{reason}\"): {} enforced finding(s) let through; this is recorded",
            enforced.len()
        )];
        head.extend(
            enforced
                .iter()
                .map(|j| format!("rampart: let through by break-glass: {}", finding_line(j))),
        );
        head.append(&mut warnings);
        warnings = head;
        verdict = Verdict::Warned;
    } else if !enforced.is_empty() {
        verdict = Verdict::Denied;
        message = Some(denial_message(review, &enforced, adm.break_glass));
    } else if warnings.is_empty() {
        verdict = Verdict::Allowed;
    } else {
        verdict = Verdict::Warned;
    }
    if let Some(reason) = &break_glass {
        judged.push(Judged {
            check: BREAK_GLASS_CHECK.to_string(),
            severity: Severity::High,
            mode: Mode::Audit,
            container: None,
            path: format!("metadata.annotations.{BREAK_GLASS}"),
            message: format!("break-glass annotation used: {reason}"),
            excepted: None,
            existing: false,
        });
    }
    // A Namespace that is let in is remembered, for the Pod Security labels of later pods.
    if is_namespace && !review.dry_run && verdict != Verdict::Denied {
        namespaces.insert(&review.name, value.clone());
    }
    Decision {
        verdict,
        skipped: None,
        findings: judged,
        break_glass,
        answer: Answer {
            allowed: verdict != Verdict::Denied,
            message,
            warnings: fit_warnings(warnings),
        },
    }
}

/// One finding as a warning line. Check messages already name the container.
fn finding_line(j: &Judged) -> String {
    let existing = if j.existing {
        " (already there before this update: fix it soon, new findings like it are denied)"
    } else {
        ""
    };
    format!("rampart: [{}] {}: {}{existing}", j.severity, j.check, j.message)
}

/// The first sentence of a check's remediation.
fn fix_of(check: &str) -> String {
    let Some(c) = rampart_checks::find(check) else {
        return String::new();
    };
    let r = c.meta.remediation;
    let end = r.find(". ").map_or(r.len(), |i| i + 1);
    r[..end].to_string()
}

fn denial_message(review: &Review, enforced: &[&Judged], break_glass: bool) -> String {
    use std::fmt::Write as _;
    let mut m = format!(
        "Rampart denied {}: {} finding(s) that policy enforces.",
        review.display(),
        enforced.len()
    );
    for j in enforced.iter().take(MESSAGE_MAX_FINDINGS) {
        let _ = write!(m, "\n- [{}] {} at {}: {}", j.severity, j.check, j.path, j.message);
        let fix = fix_of(&j.check);
        if !fix.is_empty() {
            let _ = write!(m, "\n  fix: {fix}");
        }
    }
    if enforced.len() > MESSAGE_MAX_FINDINGS {
        let _ = write!(
            m,
            "\n- and {} more (`rampart scan` on the manifest lists them all)",
            enforced.len() - MESSAGE_MAX_FINDINGS
        );
    }
    let _ = write!(
        m,
        "\nDetails: `rampart explain <check>`. To accept a finding, ask for an exception (check, \
         object, reason, expiry) in the Rampart configuration."
    );
    if break_glass {
        let _ = write!(
            m,
            " In an emergency, annotate the object {BREAK_GLASS}: \"<reason or ticket>\" (recorded)."
        );
    }
    m
}

/// Cuts warnings to the API server's limits: each to [`WARNING_MAX`] characters, all of
/// them to [`WARNINGS_BUDGET`]; the last kept warning says how many were left out.
pub fn fit_warnings(warnings: Vec<String>) -> Vec<String> {
    // Room kept for the note about the warnings left out.
    const NOTE_ROOM: usize = 80;
    let cut = |w: String| -> String {
        if w.chars().count() <= WARNING_MAX {
            return w;
        }
        let mut s: String = w.chars().take(WARNING_MAX - 1).collect();
        s.push('…');
        s
    };
    let total = warnings.len();
    let mut out: Vec<String> = Vec::new();
    let mut used = 0;
    for (i, w) in warnings.into_iter().enumerate() {
        let w = cut(w);
        let len = w.chars().count();
        let last = i + 1 == total;
        let room = if last {
            WARNINGS_BUDGET
        } else {
            WARNINGS_BUDGET - NOTE_ROOM
        };
        if used + len > room {
            out.push(format!(
                "rampart: {} more warning(s) left out; the audit log has them all",
                total - i
            ));
            break;
        }
        used += len;
        out.push(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_fit_the_api_server_budget() {
        let many: Vec<String> = (0..100).map(|i| format!("w{i} {}", "x".repeat(300))).collect();
        let out = fit_warnings(many);
        assert!(out.iter().all(|w| w.chars().count() <= WARNING_MAX), "{out:?}");
        let total: usize = out.iter().map(|w| w.chars().count()).sum();
        assert!(total <= WARNINGS_BUDGET, "{total}");
        assert_eq!(out.len(), 16, "15 full warnings and the note");
        assert!(out[0].ends_with('…') && out[0].starts_with("w0 "));
        assert_eq!(
            out[15],
            "rampart: 85 more warning(s) left out; the audit log has them all"
        );
        let few = fit_warnings(vec!["a".into(), "b".into()]);
        assert_eq!(few, ["a", "b"]);
    }

    #[allow(clippy::needless_pass_by_value)]
    fn review(object: serde_json::Value, user: &str, groups: &[&str], sub_resource: &str) -> Review {
        let body = serde_json::json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "u",
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "subResource": sub_resource,
                "name": "p",
                "namespace": "apps",
                "operation": if sub_resource.is_empty() { "CREATE" } else { "UPDATE" },
                "userInfo": {"username": user, "groups": groups},
                "object": object,
            }
        });
        Review::parse(&serde_json::to_vec(&body).unwrap()).unwrap()
    }

    #[allow(clippy::needless_pass_by_value)]
    fn pod(annotations: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "apps", "annotations": annotations},
            "spec": {"containers": [{"name": "c", "image": "x:1", "securityContext": {"privileged": true}}]}
        })
    }

    fn policy(yaml: &str) -> Policy {
        Policy::new(Config::parse("c.yaml", yaml).unwrap())
    }

    #[test]
    fn annotations_count_unless_the_configuration_says_otherwise() {
        let ns = Namespaces::default();
        let annotated =
            pod(serde_json::json!({"ignore-check.rampart.dev/privileged-container": "the CNI needs it"}));
        let r = review(annotated.clone(), "alice", &[], "");
        let d = judge(&policy("{}"), &ns, &r);
        assert_eq!(d.verdict, Verdict::Warned, "{d:?}");
        let f = d
            .findings
            .iter()
            .find(|f| f.check == "privileged-container")
            .unwrap();
        assert_eq!(
            f.excepted.as_deref(),
            Some("the CNI needs it (admission:Pod apps/p)")
        );
        let d = judge(&policy("admission:\n  honor-annotations: false\n"), &ns, &r);
        assert_eq!(d.verdict, Verdict::Denied);
        assert!(d.findings.iter().all(|f| f.excepted.is_none()));
    }

    #[test]
    fn exclusions_and_break_glass_follow_the_configuration() {
        let ns = Namespaces::default();
        let p = policy(
            "admission:\n  break-glass: false\n  exclude-users: ['system:serviceaccount:argocd:*']\n  exclude-groups: [breakers]\n",
        );
        let plain = pod(serde_json::json!({}));
        let d = judge(
            &p,
            &ns,
            &review(plain.clone(), "system:serviceaccount:argocd:app", &[], ""),
        );
        assert_eq!(
            d.skipped.as_deref(),
            Some("user system:serviceaccount:argocd:app is excluded")
        );
        let d = judge(&p, &ns, &review(plain.clone(), "bob", &["dev", "breakers"], ""));
        assert_eq!(d.skipped.as_deref(), Some("group breakers is excluded"));
        // system:nodes is no longer excluded once the list is replaced.
        let d = judge(
            &p,
            &ns,
            &review(plain.clone(), "system:node:n1", &["system:nodes"], ""),
        );
        assert_eq!(d.verdict, Verdict::Denied);
        // Break-glass disabled: the annotation is ignored, and said to be.
        let glass = pod(serde_json::json!({"rampart.dev/break-glass": "INC-1"}));
        let d = judge(&p, &ns, &review(glass.clone(), "bob", &[], ""));
        assert_eq!(d.verdict, Verdict::Denied);
        assert!(
            d.answer.warnings[0].contains("break-glass is disabled"),
            "{:?}",
            d.answer.warnings
        );
        assert!(d.break_glass.is_none());
        // Enabled (the default), but without a reason it does nothing either.
        let d = judge(
            &policy("{}"),
            &ns,
            &review(
                pod(serde_json::json!({"rampart.dev/break-glass": " "})),
                "bob",
                &[],
                "",
            ),
        );
        assert_eq!(d.verdict, Verdict::Denied);
        assert!(d.answer.warnings[0].contains("must give the reason"));
    }

    #[test]
    fn break_glass_lists_what_it_let_through_in_denial_order() {
        let ns = Namespaces::default();
        let mut p = pod(serde_json::json!({}));
        p["spec"]["hostPID"] = serde_json::json!(true);
        p["spec"]["hostNetwork"] = serde_json::json!(true);
        let denied = judge(&policy("{}"), &ns, &review(p.clone(), "bob", &[], ""));
        let order: Vec<&str> = denied
            .answer
            .message
            .as_deref()
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("- ["))
            .filter_map(|l| {
                l.split_once("] ")
                    .and_then(|(_, r)| r.split_once(' '))
                    .map(|(c, _)| c)
            })
            .collect();
        assert!(order.len() >= 3, "{order:?}");
        p["metadata"]["annotations"] = serde_json::json!({"rampart.dev/break-glass": "INC-7"});
        let glass = judge(&policy("{}"), &ns, &review(p, "bob", &[], ""));
        let let_through: Vec<&str> = glass
            .answer
            .warnings
            .iter()
            .filter_map(|w| w.strip_prefix("rampart: let through by break-glass: rampart: ["))
            .filter_map(|l| {
                l.split_once("] ")
                    .and_then(|(_, r)| r.split_once(':'))
                    .map(|(c, _)| c)
            })
            .collect();
        assert_eq!(let_through, order);
        assert!(glass.answer.warnings[0].contains(&format!("{} enforced finding(s)", order.len())));
    }

    #[test]
    fn subresources_are_skipped_except_ephemeral_containers() {
        let ns = Namespaces::default();
        let p = policy("{}");
        let d = judge(
            &p,
            &ns,
            &review(pod(serde_json::json!({})), "kubelet", &[], "status"),
        );
        assert_eq!(d.skipped.as_deref(), Some("the status subresource is not judged"));
        let mut debug = pod(serde_json::json!({}));
        debug["spec"]["containers"][0]["securityContext"] = serde_json::json!({});
        debug["spec"]["ephemeralContainers"] = serde_json::json!([{"name": "debugger", "image": "busybox:1", "securityContext": {"privileged": true}}]);
        let d = judge(&p, &ns, &review(debug, "alice", &[], "ephemeralcontainers"));
        assert_eq!(d.verdict, Verdict::Denied, "{d:?}");
        assert!(
            d.findings
                .iter()
                .any(|f| f.check == "privileged-container" && f.container.as_deref() == Some("debugger"))
        );
    }

    #[test]
    fn only_controller_owners_of_built_in_kinds_count() {
        let pod = serde_json::json!({"metadata": {"ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8", "controller": true}
        ]}});
        assert_eq!(judged_owner(&pod).as_deref(), Some("ReplicaSet web-5d8"));
        let not_controller = serde_json::json!({"metadata": {"ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8"}
        ]}});
        assert_eq!(judged_owner(&not_controller), None);
        let custom = serde_json::json!({"metadata": {"ownerReferences": [
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "r", "controller": true}
        ]}});
        assert_eq!(judged_owner(&custom), None);
    }
}
