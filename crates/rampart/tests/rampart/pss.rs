//! `rampart pss` through the real binary: the CLI contract (levels, versions, formats, exit
//! codes) and namespace labels in `rampart scan`.

use crate::common::{json, run_in, stderr, stdout, tempdir, write};

const COMPLIANT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: registry.example/web:1.0
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
";

const ROOTISH: &str = "apiVersion: v1
kind: Pod
metadata:
  name: legacy
spec:
  containers:
    - name: app
      image: registry.example/legacy:1.0
      securityContext:
        runAsUser: 0
";

#[test]
fn json_reports_every_pod_spec_with_controls_and_lines() {
    let d = tempdir();
    write(d.path(), "web.yaml", COMPLIANT);
    write(d.path(), "legacy.yaml", ROOTISH);
    write(
        d.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {}\n",
    );
    let o = run_in(
        d.path(),
        &[
            "pss",
            ".",
            "--level",
            "restricted",
            "--version",
            "v1.30",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["level"], "restricted");
    assert_eq!(v["version"], "v1.30");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "the ConfigMap has no pod spec");
    let legacy = results.iter().find(|r| r["name"] == "legacy").unwrap();
    assert_eq!(legacy["allowed"], false);
    assert_eq!(legacy["kind"], "Pod");
    assert!(legacy["namespace"].is_null());
    let controls: Vec<&str> = legacy["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["control"].as_str().unwrap())
        .collect();
    assert_eq!(
        controls,
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted"
        ]
    );
    let run_as_user = &legacy["violations"][3];
    assert_eq!(run_as_user["line"], 10);
    assert_eq!(
        run_as_user["message"],
        "runAsUser=0 (container \"app\" must not set runAsUser=0)"
    );
    let web = results.iter().find(|r| r["name"] == "web").unwrap();
    assert_eq!(web["allowed"], true);
    assert_eq!(web["namespace"], "shop");
    assert_eq!(web["violations"].as_array().unwrap().len(), 0);
}

#[test]
fn levels_and_versions_change_the_decision() {
    let d = tempdir();
    write(d.path(), "legacy.yaml", ROOTISH);
    // Baseline has nothing against this pod.
    let o = run_in(d.path(), &["pss", "legacy.yaml", "--level", "baseline"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("Pod legacy: allowed"), "{}", stdout(&o));
    // Before v1.8 the restricted level had no allowPrivilegeEscalation and no runAsUser
    // control: only runAsNonRoot is violated.
    let o = run_in(
        d.path(),
        &["pss", "legacy.yaml", "--version", "v1.7", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["results"][0]["violations"].as_array().unwrap().len(), 1);
    assert_eq!(v["results"][0]["violations"][0]["control"], "runAsNonRoot");
    // Text output carries the API server's denial message and a line per control.
    let o = run_in(d.path(), &["pss", "legacy.yaml"]);
    let out = stdout(&o);
    assert!(
        out.contains("denied: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"),
        "{out}"
    );
    assert!(out.contains("legacy.yaml:10: runAsUser: runAsUser=0"), "{out}");
    // A version newer than the newest known is judged as the newest.
    let o = run_in(
        d.path(),
        &["pss", "legacy.yaml", "--version", "v1.99", "--format", "json"],
    );
    assert_eq!(json(&o)["evaluatedVersion"], "v1.37");
}

#[test]
fn usage_and_input_errors_exit_2() {
    let d = tempdir();
    write(d.path(), "web.yaml", COMPLIANT);
    let o = run_in(d.path(), &["pss", "web.yaml", "--version", "1.x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid policy version"), "{}", stderr(&o));
    let o = run_in(d.path(), &["pss", "web.yaml", "--level", "strict"]);
    assert_eq!(o.status.code(), Some(2));
    write(
        d.path(),
        "broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: [\n",
    );
    let o = run_in(d.path(), &["pss", ".", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("broken.yaml"), "{}", stderr(&o));
    // The valid file is still judged.
    assert_eq!(json(&o)["results"][0]["name"], "web");
}

#[test]
fn scan_judges_workloads_by_their_namespace_labels() {
    let d = tempdir();
    write(
        d.path(),
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n",
    );
    write(
        d.path(),
        "debug.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\n  namespace: shop\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: x\n",
    );
    let o = run_in(
        d.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--disable",
            "all",
            "--enable",
            "pss-namespace-enforce",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let f = &v["findings"][0];
    assert_eq!(f["check"], "pss-namespace-enforce");
    assert_eq!(f["line"], 7);
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("enforces Pod Security \"baseline:latest\""), "{msg}");
    assert!(msg.contains("ns.yaml:6"), "{msg}");
    assert!(msg.contains("hostNamespaces"), "{msg}");
}

#[test]
fn suppressions_accept_other_tools_ids() {
    let d = tempdir();
    write(
        d.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: cni\n  namespace: kube-system\n  annotations:\n    ignore-check.rampart.dev/CKV_K8S_19: \"CNI needs the host network\"\nspec:\n  hostNetwork: true\n  containers:\n    - name: app\n      image: x\n",
    );
    let o = run_in(
        d.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--disable",
            "all",
            "--enable",
            "host-network",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(v["findings"][0]["check"], "host-network");
    assert_eq!(v["findings"][0]["suppressed"]["kind"], "annotation");
}
