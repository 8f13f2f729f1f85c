//! Pod Security Standards: each control at the versions where its rule changes, written
//! from the published standards (kubernetes.io/docs/concepts/security/pod-security-standards).

use std::sync::Arc;

use rampart_checks::pss::{self, LATEST_MINOR, Level, Version};
use rampart_model::{Limits, PodSpec, Source, parse_source};

/// A pod that every version of the restricted level allows.
const BASE: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example/app:1.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
";

fn objects(yaml: &str) -> Vec<rampart_model::Object> {
    let source = Arc::new(Source::new("t.yaml".into(), Some(yaml.into())));
    let parsed = parse_source(&source, &Limits::default());
    assert!(parsed.errors.is_empty(), "{:?}\n{yaml}", parsed.errors);
    parsed.objects
}

fn violations(yaml: &str, level: &str, version: &str) -> Vec<pss::Violation> {
    let objs = objects(yaml);
    let pod = PodSpec::of(&objs[0]).expect("a pod spec");
    pss::evaluate(
        &pod,
        Level::parse(level).unwrap(),
        Version::parse(version).unwrap(),
    )
}

fn controls(yaml: &str, level: &str, version: &str) -> Vec<&'static str> {
    violations(yaml, level, version)
        .iter()
        .map(|v| v.control)
        .collect()
}

/// Asserts the violated controls at each (level, version).
#[track_caller]
fn expect(yaml: &str, cases: &[(&str, &str, &[&str])]) {
    for (level, version, want) in cases {
        assert_eq!(controls(yaml, level, version), *want, "{level}:{version}\n{yaml}");
    }
}

/// BASE with `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

/// BASE with extra pod spec fields.
fn with_spec(extra: &str) -> String {
    edit("  containers:\n", &format!("{extra}  containers:\n"))
}

/// BASE with extra fields in the container's securityContext.
fn with_csc(extra: &str) -> String {
    edit(
        "        allowPrivilegeEscalation: false\n",
        &format!("        allowPrivilegeEscalation: false\n{extra}"),
    )
}

const NONE: &[&str] = &[];

#[test]
fn the_base_pod_is_allowed_at_every_version() {
    for v in 0..=LATEST_MINOR + 2 {
        let v = format!("v1.{v}");
        expect(BASE, &[("baseline", &v, NONE), ("restricted", &v, NONE)]);
    }
    expect(
        BASE,
        &[("restricted", "latest", NONE), ("privileged", "latest", NONE)],
    );
}

#[test]
fn host_namespaces() {
    let y = with_spec("  hostNetwork: true\n  hostPID: true\n  hostIPC: false\n");
    expect(
        &y,
        &[
            ("baseline", "v1.0", &["hostNamespaces"]),
            ("restricted", "latest", &["hostNamespaces"]),
        ],
    );
    let v = violations(&y, "baseline", "latest");
    assert_eq!(v[0].message(), "host namespaces (hostNetwork=true, hostPID=true)");
    assert_eq!((v[0].pos.line, v[0].path.as_str()), (10, "spec.hostNetwork"));
    // YAML 1.1 booleans, as the API server's decoder reads them.
    expect(
        &with_spec("  hostIPC: yes\n"),
        &[("baseline", "latest", &["hostNamespaces"])],
    );
    expect(
        &with_spec("  hostNetwork: false\n  hostPID: null\n"),
        &[("baseline", "latest", NONE)],
    );
}

#[test]
fn privileged_counts_init_and_ephemeral_containers() {
    let y = format!(
        "{BASE}  initContainers:\n    - name: init\n      image: x\n      securityContext:\n        privileged: true\n\
         \x20 ephemeralContainers:\n    - name: debug\n      image: x\n      securityContext:\n        privileged: true\n"
    );
    let v = violations(&y, "baseline", "latest");
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].message(),
        "privileged (containers \"init\", \"debug\" must not set securityContext.privileged=true)"
    );
    expect(
        &with_csc("        privileged: false\n"),
        &[("baseline", "latest", NONE)],
    );
}

#[test]
fn capabilities_baseline_then_restricted_from_1_22() {
    let sys_admin = edit("drop: [ALL]", "drop: [ALL]\n          add: [SYS_ADMIN, CHOWN]");
    expect(
        &sys_admin,
        &[
            ("baseline", "latest", &["capabilities_baseline"]),
            ("restricted", "v1.21", &["capabilities_baseline"]),
            ("restricted", "v1.22", &["capabilities_restricted"]),
        ],
    );
    assert_eq!(
        violations(&sys_admin, "restricted", "latest")[0].message(),
        "unrestricted capabilities (container \"app\" must not include \"CHOWN\", \"SYS_ADMIN\" in securityContext.capabilities.add)"
    );
    let chown = edit("drop: [ALL]", "drop: [ALL]\n          add: [CHOWN]");
    expect(
        &chown,
        &[
            ("baseline", "latest", NONE),
            ("restricted", "v1.21", NONE),
            ("restricted", "v1.22", &["capabilities_restricted"]),
        ],
    );
    let bind = edit("drop: [ALL]", "drop: [ALL]\n          add: [NET_BIND_SERVICE]");
    expect(&bind, &[("restricted", "latest", NONE)]);
    // Names are compared exactly, as Kubernetes does: "all" is not "ALL".
    let lower = edit("drop: [ALL]", "drop: [all]");
    expect(
        &lower,
        &[
            ("restricted", "v1.21", NONE),
            ("restricted", "v1.22", &["capabilities_restricted"]),
        ],
    );
    let none = edit("        capabilities:\n          drop: [ALL]\n", "");
    let v = violations(&none, "restricted", "latest");
    assert_eq!(
        v[0].message(),
        "unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"])"
    );
}

#[test]
fn host_path_and_restricted_volumes() {
    let host = with_spec("  volumes:\n    - name: root\n      hostPath:\n        path: /\n");
    expect(
        &host,
        &[
            ("baseline", "v1.0", &["hostPathVolumes"]),
            ("restricted", "latest", &["restrictedVolumes"]),
        ],
    );
    assert_eq!(
        violations(&host, "restricted", "latest")[0].message(),
        "restricted volume types (volume \"root\" uses restricted volume type \"hostPath\")"
    );
    let nfs = with_spec(
        "  volumes:\n    - name: data\n      nfs:\n        server: nfs\n        path: /x\n    - name: cfg\n      configMap:\n        name: c\n    - name: img\n      image:\n        reference: r/x:1\n",
    );
    expect(
        &nfs,
        &[
            ("baseline", "latest", NONE),
            ("restricted", "v1.0", &["restrictedVolumes"]),
        ],
    );
    // A volume without a source is defaulted to emptyDir before admission.
    let bare = with_spec("  volumes:\n    - name: scratch\n    - name: tmp\n      emptyDir:\n");
    expect(&bare, &[("restricted", "latest", NONE)]);
}

#[test]
fn host_ports() {
    let y = edit(
        "      image: registry.example/app:1.0\n",
        "      image: registry.example/app:1.0\n      ports:\n        - containerPort: 80\n          hostPort: 8080\n        - containerPort: 443\n          hostPort: 443\n        - containerPort: 9\n          hostPort: 0\n",
    );
    let v = violations(&y, "baseline", "latest");
    assert_eq!(v.len(), 1);
    // Ports are listed sorted as text, as the API server sorts them.
    assert_eq!(
        v[0].message(),
        "hostPort (container \"app\" uses hostPorts 443, 8080)"
    );
}

#[test]
fn app_armor_annotations_and_fields() {
    let ann = edit(
        "  name: p\n",
        "  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: unconfined\n",
    );
    expect(
        &ann,
        &[
            ("baseline", "v1.0", &["appArmorProfile"]),
            ("restricted", "latest", &["appArmorProfile"]),
        ],
    );
    assert_eq!(
        violations(&ann, "baseline", "latest")[0].message(),
        "forbidden AppArmor profile (annotation must not set AppArmor profile type to \"container.apparmor.security.beta.kubernetes.io/app=\"unconfined\"\")"
    );
    let local = edit(
        "  name: p\n",
        "  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: localhost/custom\n",
    );
    expect(&local, &[("baseline", "latest", NONE)]);
    let field = edit(
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: true\n    appArmorProfile:\n      type: Unconfined\n",
    );
    expect(&field, &[("baseline", "latest", &["appArmorProfile"])]);
    expect(
        &with_csc("        appArmorProfile:\n          type: Localhost\n          localhostProfile: k8s-x\n"),
        &[("baseline", "latest", NONE)],
    );
}

#[test]
fn selinux_options_and_container_engine_t_from_1_31() {
    let engine = with_csc("        seLinuxOptions:\n          type: container_engine_t\n");
    expect(
        &engine,
        &[
            ("baseline", "v1.30", &["seLinuxOptions"]),
            ("baseline", "v1.31", NONE),
        ],
    );
    let spc = with_csc("        seLinuxOptions:\n          type: spc_t\n          user: system_u\n");
    assert_eq!(
        violations(&spc, "baseline", "latest")[0].message(),
        "seLinuxOptions (container \"app\" set forbidden securityContext.seLinuxOptions: type \"spc_t\"; user may not be set)"
    );
    expect(
        &with_csc("        seLinuxOptions:\n          level: s0:c123,c456\n"),
        &[("baseline", "latest", NONE)],
    );
}

#[test]
fn proc_mount_and_user_namespaces_from_1_35() {
    let unmasked = with_csc("        procMount: Unmasked\n");
    let userns = with_spec("  hostUsers: false\n").replacen(
        "        allowPrivilegeEscalation: false\n",
        "        allowPrivilegeEscalation: false\n        procMount: Unmasked\n",
        1,
    );
    expect(
        &unmasked,
        &[
            ("baseline", "v1.0", &["procMount"]),
            ("baseline", "latest", &["procMount"]),
        ],
    );
    expect(
        &userns,
        &[
            ("baseline", "v1.34", &["procMount"]),
            ("baseline", "v1.35", NONE),
            ("restricted", "v1.34", &["procMount"]),
            ("restricted", "v1.35", &["procMount_restricted"]),
        ],
    );
    expect(
        &with_csc("        procMount: Default\n"),
        &[("restricted", "latest", NONE)],
    );
}

#[test]
fn seccomp_annotations_before_1_19_and_fields_after() {
    let ann = edit(
        "  name: p\n",
        "  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n    container.seccomp.security.alpha.kubernetes.io/app: docker/default\n",
    );
    expect(
        &ann,
        &[
            ("baseline", "v1.18", &["seccompProfile_baseline"]),
            ("restricted", "v1.18", &["seccompProfile_baseline"]),
            ("baseline", "v1.19", NONE),
            ("restricted", "v1.19", NONE),
        ],
    );
    assert_eq!(
        violations(&ann, "baseline", "v1.0")[0].message(),
        "seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")"
    );
    let unconfined = with_csc("        seccompProfile:\n          type: Unconfined\n");
    expect(
        &unconfined,
        &[
            ("baseline", "v1.18", NONE),
            ("baseline", "v1.19", &["seccompProfile_baseline"]),
            ("restricted", "v1.19", &["seccompProfile_restricted"]),
        ],
    );
    let unset = edit("    seccompProfile:\n      type: RuntimeDefault\n", "");
    expect(
        &unset,
        &[
            ("baseline", "latest", NONE),
            ("restricted", "v1.18", NONE),
            ("restricted", "v1.19", &["seccompProfile_restricted"]),
        ],
    );
    assert_eq!(
        violations(&unset, "restricted", "latest")[0].message(),
        "seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
}

#[test]
fn sysctls_allow_list_grows() {
    let sysctl = |name: &str| {
        edit(
            "    runAsNonRoot: true\n",
            &format!("    runAsNonRoot: true\n    sysctls:\n      - name: {name}\n        value: \"1\"\n"),
        )
    };
    expect(
        &sysctl("net.ipv4.ip_local_reserved_ports"),
        &[("baseline", "v1.26", &["sysctls"]), ("baseline", "v1.27", NONE)],
    );
    expect(
        &sysctl("net.ipv4.tcp_keepalive_time"),
        &[("baseline", "v1.28", &["sysctls"]), ("baseline", "v1.29", NONE)],
    );
    expect(
        &sysctl("net.ipv4.tcp_rmem"),
        &[("baseline", "v1.31", &["sysctls"]), ("baseline", "v1.32", NONE)],
    );
    expect(
        &sysctl("net.ipv4.tcp_notsent_lowat"),
        &[("baseline", "v1.36", &["sysctls"]), ("baseline", "v1.37", NONE)],
    );
    expect(
        &sysctl("kernel.msgmax"),
        &[
            ("baseline", "latest", &["sysctls"]),
            ("restricted", "v1.0", &["sysctls"]),
        ],
    );
    assert_eq!(
        violations(&sysctl("kernel.msgmax"), "baseline", "latest")[0].message(),
        "forbidden sysctls (kernel.msgmax)"
    );
}

#[test]
fn windows_host_process() {
    let y = edit(
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: true\n    windowsOptions:\n      hostProcess: true\n",
    );
    assert_eq!(
        violations(&y, "baseline", "latest")[0].message(),
        "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)"
    );
}

#[test]
fn probe_and_lifecycle_hosts_from_1_34() {
    let y = edit(
        "      image: registry.example/app:1.0\n",
        "      image: registry.example/app:1.0\n      livenessProbe:\n        httpGet:\n          host: 10.0.0.1\n          port: 80\n      lifecycle:\n        preStop:\n          tcpSocket:\n            host: metadata.internal\n            port: 80\n",
    );
    expect(
        &y,
        &[
            ("baseline", "v1.33", NONE),
            ("baseline", "v1.34", &["hostProbesAndHostLifecycle"]),
        ],
    );
    assert_eq!(
        violations(&y, "baseline", "latest")[0].message(),
        "probe or lifecycle host (container \"app\" uses probe or lifecycle hosts \"10.0.0.1\", \"metadata.internal\")"
    );
    let empty = edit(
        "      image: registry.example/app:1.0\n",
        "      image: registry.example/app:1.0\n      readinessProbe:\n        httpGet:\n          host: \"\"\n          port: 80\n",
    );
    expect(&empty, &[("baseline", "latest", NONE)]);
}

#[test]
fn allow_privilege_escalation_from_1_8() {
    let y = edit("        allowPrivilegeEscalation: false\n", "");
    expect(
        &y,
        &[
            ("restricted", "v1.7", NONE),
            ("restricted", "v1.8", &["allowPrivilegeEscalation"]),
            ("baseline", "latest", NONE),
        ],
    );
    expect(
        &edit(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: true",
        ),
        &[("restricted", "latest", &["allowPrivilegeEscalation"])],
    );
}

#[test]
fn windows_pods_are_exempt_from_some_restricted_controls_from_1_25() {
    let y = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: w\nspec:\n  os:\n    name: windows\n  securityContext:\n    runAsNonRoot: true\n  containers:\n    - name: app\n      image: x\n";
    expect(
        y,
        &[
            (
                "restricted",
                "v1.24",
                &[
                    "allowPrivilegeEscalation",
                    "capabilities_restricted",
                    "seccompProfile_restricted",
                ],
            ),
            ("restricted", "v1.25", NONE),
        ],
    );
}

#[test]
fn run_as_non_root() {
    let unset = edit("    runAsNonRoot: true\n", "");
    expect(
        &unset,
        &[
            ("restricted", "v1.0", &["runAsNonRoot"]),
            ("baseline", "latest", NONE),
        ],
    );
    assert_eq!(
        violations(&unset, "restricted", "latest")[0].message(),
        "runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true)"
    );
    let container_only = edit("    runAsNonRoot: true\n", "").replacen(
        "        allowPrivilegeEscalation: false\n",
        "        allowPrivilegeEscalation: false\n        runAsNonRoot: true\n",
        1,
    );
    expect(&container_only, &[("restricted", "latest", NONE)]);
    let pod_false = edit("    runAsNonRoot: true\n", "    runAsNonRoot: false\n").replacen(
        "        allowPrivilegeEscalation: false\n",
        "        allowPrivilegeEscalation: false\n        runAsNonRoot: true\n",
        1,
    );
    assert_eq!(
        violations(&pod_false, "restricted", "latest")[0].message(),
        "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)"
    );
    let userns = with_spec("  hostUsers: false\n").replacen("    runAsNonRoot: true\n", "", 1);
    expect(
        &userns,
        &[
            ("restricted", "v1.34", &["runAsNonRoot"]),
            ("restricted", "v1.35", NONE),
        ],
    );
}

#[test]
fn run_as_user_zero_from_1_23() {
    let y = edit(
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: true\n    runAsUser: 0\n",
    );
    expect(
        &y,
        &[
            ("restricted", "v1.22", NONE),
            ("restricted", "v1.23", &["runAsUser"]),
            ("baseline", "latest", NONE),
        ],
    );
    let userns = with_spec("  hostUsers: false\n").replacen(
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: true\n    runAsUser: 0\n",
        1,
    );
    expect(
        &userns,
        &[
            ("restricted", "v1.34", &["runAsUser"]),
            ("restricted", "v1.35", NONE),
        ],
    );
    expect(
        &with_csc("        runAsUser: 1000\n"),
        &[("restricted", "latest", NONE)],
    );
}

#[test]
fn workloads_use_their_pod_template_and_its_annotations() {
    let y = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: unconfined\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          annotations:\n            container.apparmor.security.beta.kubernetes.io/app: runtime/default\n        spec:\n          hostIPC: true\n          containers:\n            - name: app\n              image: x\n";
    let v = violations(y, "baseline", "latest");
    assert_eq!(
        v.iter().map(|v| v.control).collect::<Vec<_>>(),
        ["hostNamespaces"]
    );
    assert_eq!(
        (v[0].pos.line, v[0].path.as_str()),
        (16, "spec.jobTemplate.spec.template.spec.hostIPC")
    );
}

#[test]
fn violations_come_in_the_api_servers_order() {
    let y = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: x\n      securityContext:\n        privileged: true\n        runAsUser: 0\n";
    assert_eq!(
        controls(y, "restricted", "latest"),
        [
            "hostNamespaces",
            "privileged",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted"
        ]
    );
    let v = violations(y, "restricted", "latest");
    assert!(pss::denial(Level::Restricted, Version::Latest, &v).starts_with(
        "violates PodSecurity \"restricted:latest\": host namespaces (hostPID=true), privileged (container \"app\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false"
    ));
}

#[test]
fn versions_parse_like_the_namespace_labels() {
    assert_eq!(Version::parse("latest"), Ok(Version::Latest));
    assert_eq!(Version::parse("v1.25"), Ok(Version::Minor(25)));
    assert_eq!(Version::parse("v1.99").unwrap().effective_minor(), LATEST_MINOR);
    for bad in ["v2.0", "v1", "v1.x", "1.2.3", "", "v1.01", "newest"] {
        assert!(Version::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Level::parse("baseline"), Some(Level::Baseline));
    assert_eq!(Level::parse("Restricted"), None);
}
