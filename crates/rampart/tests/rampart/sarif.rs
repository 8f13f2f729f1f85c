//! SARIF output validated against the official SARIF 2.1.0 JSON schema with the reference
//! Python validator (`jsonschema`, installed by .ci/run).

use std::path::Path;

use crate::common::*;

fn validate(file: &Path) {
    let schema = repo_root().join("../shared/schemas/sarif-schema-2.1.0.json");
    assert!(
        schema.is_file(),
        "the shared SARIF schema is expected beside the repository"
    );
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\ndoc=json.load(open(sys.argv[2]))\njsonschema.validators.validator_for(schema)(schema).validate(doc)\nprint('valid')\n";
    let o = std::process::Command::new("python3")
        .args(["-c", script, schema.to_str().unwrap(), file.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("valid"),
        "SARIF does not validate (is python3-jsonschema installed?):\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn sarif_validates_and_carries_regions_fingerprints_and_suppressions() {
    let d = tempdir();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    write(d.path(), "deploy/pod.yaml", &PRIVILEGED_POD.replace("  namespace: apps\n", "  namespace: apps\n  annotations:\n    ignore-check.rampart.dev/memory-limits-missing: \"batch pod, bounded input\"\n"));
    write(d.path(), "deploy/web app.yaml", HOST_NET_DEPLOY);
    write(d.path(), "deploy/broken.yaml", "a: [\n");
    let sub = d.path().join("deploy");
    let o = run_in(&sub, &["scan", ".", "--format", "sarif=../out.sarif"]);
    assert_eq!(o.status.code(), Some(2));
    let file = d.path().join("out.sarif");
    validate(&file);
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let run = &s["runs"][0];
    let results = run["results"].as_array().unwrap();
    let priv_ = results
        .iter()
        .find(|r| r["ruleId"] == "privileged-container")
        .unwrap();
    let loc = &priv_["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"], "deploy/pod.yaml",
        "relative to the repository root"
    );
    assert_eq!(loc["region"]["startLine"], 13);
    assert_eq!(loc["region"]["startColumn"], 9);
    assert_eq!(priv_["level"], "error");
    assert_eq!(
        priv_["partialFingerprints"]["rampart/v1"].as_str().unwrap().len(),
        32
    );
    let hn = results.iter().find(|r| r["ruleId"] == "host-network").unwrap();
    assert_eq!(
        hn["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/web%20app.yaml"
    );
    let suppressed = results
        .iter()
        .find(|r| r["ruleId"] == "memory-limits-missing" && r["suppressions"].is_array())
        .unwrap();
    assert_eq!(suppressed["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed["suppressions"][0]["justification"],
        "batch pod, bounded input"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "privileged-container").unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    assert!(rule["help"]["markdown"].as_str().unwrap().contains("```yaml"));
    assert_eq!(
        priv_["ruleIndex"].as_u64().map(|i| &rules[i as usize]["id"]),
        Some(&serde_json::json!("privileged-container"))
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(
            |n| n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy/broken.yaml"
        )
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn clean_sarif_has_an_empty_results_array() {
    let d = tempdir();
    write(
        d.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n",
    );
    let o = run_in(
        d.path(),
        &["scan", "--format", "sarif=out.sarif", "--sarif-root", "."],
    );
    assert_eq!(o.status.code(), Some(0));
    let file = d.path().join("out.sarif");
    validate(&file);
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(s["runs"][0]["results"], serde_json::json!([]));
}
