//! Command-line interface definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Rampart finds risky Kubernetes configuration (privileged pods, host access, missing
/// limits, over-broad RBAC, exposure) with the exact file and line, why it matters and how
/// to fix it.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan manifests (files, directories, `-` for stdin) and report findings.
    #[command(after_long_help = SCAN_HELP)]
    Scan(Box<ScanArgs>),
    /// List every check.
    Checks {
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Decide the Pod Security Standards (baseline or restricted) for every object with a
    /// pod spec, exactly as the API server's Pod Security Admission would.
    #[command(after_long_help = PSS_HELP, disable_version_flag = true)]
    Pss(PssArgs),
    /// Score the manifests against security standards (CIS Kubernetes, NSA/CISA, Pod
    /// Security Standards, NIST 800-190 and 800-53, PCI DSS, HIPAA, SOC 2, MITRE ATT&CK):
    /// per control pass, fail, manual, not applicable or not assessed, with the evidence.
    #[command(after_long_help = COMPLIANCE_HELP, disable_version_flag = true)]
    Compliance(Box<ComplianceArgs>),
    /// Audit a node against the CIS Kubernetes Benchmark v1.12, sections 1 to 4 (control
    /// plane, etcd, control-plane configuration, worker node) from its files.
    #[command(after_long_help = NODE_HELP, disable_version_flag = true)]
    Node(NodeArgs),
    /// Serve a Kubernetes validating admission webhook (HTTPS) that judges objects with
    /// the same checks, configuration and exceptions as `rampart scan`.
    #[command(after_long_help = ADMIT_HELP, disable_version_flag = true)]
    Admit(AdmitArgs),
    /// Container images: inventory every OS and language package, write SBOMs, and scan
    /// them for known vulnerabilities.
    #[command(disable_version_flag = true)]
    Image(crate::image::ImageArgs),
    /// Scan a source tree's lockfiles (Cargo.lock, package-lock.json, requirements.txt,
    /// go.mod ...) for known vulnerabilities, before there is an image.
    #[command(after_long_help = crate::vulns::SCAN_HELP, disable_version_flag = true)]
    Deps(crate::vulns::DepsArgs),
    /// Manage the local vulnerability database (OSV advisories): download, import, status.
    #[command(after_long_help = crate::db::DB_HELP, disable_version_flag = true)]
    Db(crate::db::DbArgs),
    /// Describe one check: what it finds, why it matters, how to fix it.
    Explain {
        /// Check id (or a former id).
        id: String,
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

const SCAN_HELP: &str = "\
Output formats (--format, repeatable; FORMAT or FORMAT=FILE):
  text    compiler-style diagnostics with the source line (default)
  json    the versioned JSON report (docs/json-output.md)
  sarif   SARIF 2.1.0 for GitHub code scanning and other platforms
  junit   JUnit XML, one test case per object and check
  github  GitHub Actions annotations (::error file=..,line=..::)
Example: rampart scan deploy/ --format text --format sarif=rampart.sarif

Exit codes:
  0  no unsuppressed finding at or above --fail-on
  1  at least one such finding
  2  usage, configuration or input error (a file could not be read or parsed)

Configuration: .rampart.yaml is searched from the current directory upward
(or --config FILE); see docs/configuration.md.";

const PSS_HELP: &str = "\
For every Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
Job, CronJob, PodTemplate, Argo Rollout or DeploymentConfig, prints whether the policy
allows it and, when it does not, every violated control (hostNamespaces, privileged,
capabilities_baseline, ..., runAsNonRoot, seccompProfile_restricted) with a message in the
API server's words and the line to change. Controls, containers, init containers and
ephemeral containers are judged as Pod Security Admission judges them at that version.

Versions: latest, or v1.0 up to the newest Kubernetes release; a newer v1.N is judged as
the newest (as the API server does).

Exit codes:
  0  every object is allowed
  1  at least one object is denied
  2  usage or input error (a file could not be read or parsed)

Example: rampart pss deploy/ --level restricted --version v1.30 --format json";

const COMPLIANCE_HELP: &str = "\
Each check declares the controls it evidences; a control passes when none of its checks
finds anything, fails when one does, passes with an exception when every finding is
covered by an exception or annotation (the report lists them with reason and expiry), is
manual when no check can evidence it (the report says how to assess it), not applicable
when the scan has no object its checks judge, and not assessed when its checks are
disabled or it is a node control (CIS sections 1-4). Checks mapped to a standard run even
when they are off by default, unless the configuration or --disable turns them off.

Score: passed automated controls / assessed automated controls, per standard and section.

Output formats (--format): text (default), json, markdown, csv, html (one self-contained
page with score gauges and charts), junit (a test case per control).

Exit codes:
  0  report written (and every score reached --fail-under, when given)
  1  a standard scored below --fail-under
  2  usage, configuration or input error

Examples:
  rampart compliance deploy/ --standard cis-kubernetes-1.12
  rampart compliance deploy/ --standard all --format html --output compliance.html
  rampart compliance --list";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComplianceFormat {
    Text,
    Json,
    Markdown,
    Csv,
    Html,
    Junit,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// Files or directories to read (recursively: .yaml, .yml, .json); `-` reads stdin.
    /// Default: the current directory.
    pub paths: Vec<PathBuf>,

    /// Standard id (see --list), or `all`; repeatable.
    #[arg(long, short = 's', value_name = "ID", default_value = "all")]
    pub standard: Vec<String>,

    /// List the standards and their control counts, and exit.
    #[arg(long)]
    pub list: bool,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ComplianceFormat::Text)]
    pub format: ComplianceFormat,

    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a selected standard's score is below PERCENT (0-100).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub fail_under: Option<f64>,

    /// Text output: list every control, not only failing and excepted ones.
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// A `rampart node --format json` report (repeatable, one per node): assesses the node
    /// controls of CIS Kubernetes (sections 1 to 4), which manifests cannot show.
    #[arg(long, value_name = "FILE")]
    pub node_report: Vec<PathBuf>,

    /// Configuration file (default: .rampart.yaml from the current directory upward).
    #[arg(long, short = 'c', value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any .rampart.yaml.
    #[arg(long)]
    pub no_config: bool,

    /// Disable a check (its controls become not assessed). Repeatable.
    #[arg(long, value_name = "ID")]
    pub disable: Vec<String>,

    /// Skip paths matching this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// The Kubernetes version the manifests are for [default: the config's, else 1.37].
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    pub kubernetes_version: Option<u32>,

    /// Largest file to read, in bytes; larger files are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_file_size: u64,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a percentage between 0 and 100")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PssFormat {
    Text,
    Json,
}

const NODE_HELP: &str = "\
Reads, under --root: the static pod manifests (/etc/kubernetes/manifests), the kubelet's
systemd unit and drop-ins with their environment files, the kubelet configuration file,
the k3s/RKE2 configuration (/etc/rancher/<dist>/config.yaml), kubeconfigs, the PKI
directory, CNI files and the etcd data directory, and their modes and owners. With
--proc, components not found in files are read from the running processes' command
lines. Nothing is executed.

Every item gets PASS, FAIL, WARN (manual: a person checks it, with guidance) or N/A, the
evidence (the flag, setting or file mode found, and where) and the fix.

Exceptions: `node-exceptions` in .rampart.yaml, by item id and node name glob:
  node-exceptions:
    - items: [\"1.2.16\"]
      nodes: [\"cp-*\"]
      reason: audit logs are collected by the managed control plane
      expires: 2027-06-30

Exit codes:
  0  no failing item (failures covered by an exception do not count)
  1  at least one failing item
  2  usage or configuration error
Example: rampart node --root /host --format json --output node.json";

const ADMIT_HELP: &str = "\
Endpoints (all over HTTPS on --listen):
  POST /validate   AdmissionReview admission.k8s.io/v1 or v1beta1
  GET  /healthz    the process is alive
  GET  /readyz     200 once the configuration and a certificate are loaded
  GET  /metrics    Prometheus text format

Decisions: each finding is enforced (denied), warned (allowed; kubectl shows a warning)
or audited (allowed, logged), by the `admission:` section of the configuration and each
check's `mode`. Without a configuration: deny on critical and high, warn on medium and
low. The annotation rampart.dev/break-glass: \"<reason>\" lets an object through and is
recorded. Decisions are logged as JSON lines (dry-run requests are answered, not logged).

The certificate, key and configuration files are reloaded when they change; an invalid
new configuration is refused and the previous one stays. See docs/admission.md.
Example: rampart admit --config /etc/rampart/rampart.yaml \\
           --tls-cert /etc/rampart/tls/tls.crt --tls-key /etc/rampart/tls/tls.key";

#[derive(Debug, Args)]
pub struct AdmitArgs {
    /// Configuration file (checks, exceptions, the `admission:` section); without one the
    /// defaults apply. Reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Serving certificate chain (PEM). Reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: PathBuf,

    /// Private key of the certificate (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE")]
    pub tls_key: PathBuf,

    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: String,

    /// Append decisions to this file (JSON lines) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,

    /// How often the certificate, key and configuration files are checked for changes,
    /// in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub reload_interval: f64,

    /// Most connections served at once; more are closed at once.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,

    /// Largest request body accepted; larger ones get 413.
    #[arg(long, value_name = "BYTES", default_value_t = rampart_admit::DEFAULT_MAX_BODY)]
    pub max_body_bytes: usize,

    /// Seconds a request (or a TLS handshake) may take to arrive, from its first byte;
    /// slower clients are disconnected.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub request_timeout: f64,

    /// After SIGTERM: seconds to keep answering (not ready, closing connections) before
    /// exiting, while the API server stops sending requests to this replica.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub shutdown_delay: f64,

    /// Benchmarks only: answer /validate with the request body, unjudged.
    #[arg(long, hide = true)]
    pub bench_echo: bool,
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's filesystem root: / on the node, the host mount in a pod, or a copy.
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,

    /// Benchmark version: cis-1.12 (the only one) or auto.
    #[arg(long, value_name = "BENCHMARK", default_value = "auto")]
    pub benchmark: String,

    /// Node role: master (control plane), worker, or auto (master when control-plane
    /// components are found).
    #[arg(long, value_name = "ROLE", default_value = "auto")]
    pub role: String,

    /// Installation layout: kubeadm, k3s, rke2, eks, gke, aks, or auto (from the files
    /// only each has).
    #[arg(long, value_name = "DIST", default_value = "auto")]
    pub distribution: String,

    /// Also read the command lines of running components from this /proc directory
    /// (on the node: /proc; in a pod with hostPID: /proc).
    #[arg(long, value_name = "DIR")]
    pub proc: Option<PathBuf>,

    /// The node's name for exceptions and the report (default: the root's /etc/hostname).
    #[arg(long, value_name = "NAME")]
    pub node_name: Option<String>,

    /// Output format: text, json (docs/node.md), sarif or junit.
    #[arg(long, short = 'f', value_enum, default_value_t = NodeFormat::Text)]
    pub format: NodeFormat,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Configuration file (default: .rampart.yaml in the current directory or above).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore any configuration file.
    #[arg(long)]
    pub no_config: bool,

    /// Show the evidence of passing items too.
    #[arg(long)]
    pub show_passed: bool,

    /// When to colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// List the benchmark items (id, section, title, automated or manual) and exit.
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NodeFormat {
    Text,
    Json,
    Sarif,
    Junit,
}

#[derive(Debug, Args)]
pub struct PssArgs {
    /// Files or directories to read (recursively: .yaml, .yml, .json); `-` reads stdin.
    /// Default: the current directory.
    pub paths: Vec<PathBuf>,

    /// Policy level: baseline or restricted (privileged allows everything).
    #[arg(long, short = 'l', value_name = "LEVEL", default_value = "restricted")]
    pub level: String,

    /// Policy version: latest or v1.N.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub version: String,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PssFormat::Text)]
    pub format: PssFormat,

    /// Skip paths matching this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Largest file to read, in bytes; larger files are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_file_size: u64,
}

fn parse_version(s: &str) -> Result<u32, String> {
    rampart_checks::parse_kubernetes_version(s)
        .ok_or_else(|| format!("`{s}` is not a Kubernetes version; expected one such as 1.33"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings (input errors still exit 2).
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (recursively: .yaml, .yml, .json); `-` reads stdin.
    /// Default: the current directory.
    pub paths: Vec<PathBuf>,

    /// Skip paths matching this glob (`vendor`, `charts/**`, `*.tpl.yaml`); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Output format, optionally with a file: FORMAT or FORMAT=FILE; repeatable.
    #[arg(long, short = 'f', value_name = "FORMAT[=FILE]", default_value = "text")]
    pub format: Vec<String>,

    /// Write the output to FILE instead of stdout (for a single --format without =FILE).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Lowest severity that fails the run [default: low, or fail-on in the config].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Configuration file (default: .rampart.yaml from the current directory upward).
    #[arg(long, short = 'c', value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any .rampart.yaml.
    #[arg(long)]
    pub no_config: bool,

    /// Enable a check (also one that is off by default); `all` enables every check. Repeatable.
    #[arg(long, value_name = "ID")]
    pub enable: Vec<String>,

    /// Disable a check; `all` disables every check (then --enable picks some). Repeatable.
    #[arg(long, value_name = "ID")]
    pub disable: Vec<String>,

    /// Only findings absent from this baseline count toward the exit code.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings as a baseline in FILE.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Root that SARIF paths are relative to [default: the git repository root, or the
    /// current directory].
    #[arg(long, value_name = "DIR")]
    pub sarif_root: Option<PathBuf>,

    /// List suppressed findings in the text output too.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Text output without the why/fix lines.
    #[arg(long)]
    pub compact: bool,

    /// Colours in the text output (auto: only on a terminal and without NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Largest file to read, in bytes; larger files are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_file_size: u64,
    /// The Kubernetes version the manifests are for (1.33, v1.33 or 1.33.2): which API
    /// versions are deprecated or removed, and which schema fields are validated against.
    /// Wins over kubernetes-version in the config [default: the config's, else 1.37].
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    pub kubernetes_version: Option<u32>,
}
