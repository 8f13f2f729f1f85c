use rampart_model::{Node, Object};

use crate::util::{for_each_container, glob_match, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity};

const DEFAULT_NAME_PATTERNS: &[&str] = &[
    "*password*",
    "*passwd*",
    "*secret*",
    "*token*",
    "*api_key*",
    "*apikey*",
    "*private_key*",
    "*access_key*",
    "*credential*",
];

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "secret-in-env",
        title: "Credential written in plain text in an environment variable",
        severity: Severity::High,
        category: Category::Secrets,
        finds: "`env` entries of any container (init, regular, ephemeral) with a literal \
                `value` (never `valueFrom`) that either has a well-known credential shape \
                whatever the variable's name (an AWS access key ID `AKIA...`, a PEM \
                `-----BEGIN ... PRIVATE KEY-----` block, a GitHub token `ghp_`/`gho_`/`ghu_`/\
                `ghs_`/`ghr_`/`github_pat_`, a Slack token `xoxb-`/`xoxa-`/`xoxp-`/`xoxr-`/\
                `xoxs-`), or belongs to a variable whose name matches one of `name-patterns` \
                (case-insensitive globs) and is not obviously something else. Values that are \
                not reported for a matching name: shorter than 4 characters, containing a \
                `$(VAR)` expansion or an unrendered `${...}`/`{{ ... }}` template, a `<...>` \
                placeholder, a path starting with `/`, `true`/`false`, a number or a duration \
                (`3600`, `15m`); and names ending in `_FILE`, `_PATH`, `_DIR`, `_NAME` or \
                `_URL`, which usually point to a secret rather than hold it.",
        why: "A credential in a manifest is readable by everyone who can read the \
              repository, the CI logs, the rendered Helm release, or the object in the \
              cluster (`get` on Deployments is granted far more widely than `get` on \
              Secrets), and it ends up in the process environment, where crash reporters, \
              debug endpoints and `kubectl describe` expose it. It cannot be rotated \
              without a code change and stays in version control history forever.",
        remediation: "Rotate the exposed credential first: it must be considered leaked. Then \
                      store it in a Secret (created out of band, or by an external secrets \
                      operator or sealed secrets) and mount it as a file, or at least \
                      reference it with `valueFrom.secretKeyRef` instead of `value`.",
        example: "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-credentials\n        key: password\n",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/secret/",
            "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
            "https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.4.1",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1552.007",
            "nist-800-190:4.1.4",
            "nist-800-53-r5:SC-28",
            "nsa-cisa-1.2:network.secrets",
            "pci-dss-4.0:8.6.2",
            "soc2:CC6.1",
        ],
        equivalents: &["kube-linter:env-var-secret", "polaris:sensitiveContainerEnvVar"],
        params: &[ParamSpec {
            name: "name-patterns",
            description: "Globs (`*` and `?`, matched case-insensitively) for the names of \
                          environment variables whose literal values are reported as \
                          credentials.",
            default: ParamDefault::Strings(DEFAULT_NAME_PATTERNS),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    // Lowercased once per object, and only for an object with environment variables.
    let mut patterns: Option<Vec<String>> = None;
    for_each_container(obj, |c| {
        let Some(env) = c.node.get("env") else { return };
        let patterns = patterns.get_or_insert_with(|| {
            ctx.params
                .strings("name-patterns")
                .iter()
                .map(|p| p.to_lowercase())
                .collect()
        });
        for (i, item) in env.items().enumerate() {
            let Some(name) = item.get("name").and_then(Node::scalar_text) else {
                continue;
            };
            let Some((key, value)) = item.get_entry("value") else {
                continue;
            };
            if value.is_null() {
                continue;
            }
            let Some(text) = value.scalar_text() else {
                continue;
            };
            let detail = if let Some(shape) = credential_shape(text) {
                format!(" ({shape})")
            } else if name_matches(patterns, name) && literal_secret(name, text) {
                String::new()
            } else {
                continue;
            };
            out.container_at(
                c,
                key.pos,
                &format!("env[{i}].value"),
                format!(
                    "{} sets env var \"{name}\" to a literal value that looks like a credential{detail}",
                    label(c)
                ),
            );
        }
    });
}

fn name_matches(patterns: &[String], name: &str) -> bool {
    let name = name.to_lowercase();
    patterns.iter().any(|p| glob_match(p, &name))
}

/// Whether the literal value of a variable with a secret-sounding name plausibly is the
/// secret itself rather than a reference, a template or a setting about the secret.
fn literal_secret(name: &str, value: &str) -> bool {
    let name = name.to_lowercase();
    if ["_file", "_path", "_dir", "_name", "_url"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        return false;
    }
    let v = value.trim();
    if v.chars().count() < 4 {
        return false;
    }
    let enclosed =
        |open: &str, close: &str| v.find(open).is_some_and(|i| v[i + open.len()..].contains(close));
    if enclosed("$(", ")") || enclosed("${", "}") || enclosed("{{", "}}") {
        return false;
    }
    if (v.starts_with('<') && v.ends_with('>')) || v.starts_with('/') {
        return false;
    }
    if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
        return false;
    }
    // Numbers and durations (`3600`, `1.5`, `15m`, `24h`) are settings, not secrets.
    let digits = v.trim_end_matches(|ch: char| ch.is_ascii_alphabetic());
    let unit = v.len() - digits.len();
    if unit <= 2 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return false;
    }
    true
}

fn boundary_before(b: &[u8], i: usize) -> bool {
    i == 0 || !b[i - 1].is_ascii_alphanumeric()
}

fn run_len(b: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    b.get(from..)
        .map_or(0, |rest| rest.iter().take_while(|&&x| ok(x)).count())
}

/// The kind of well-known credential the value contains, if any.
fn credential_shape(value: &str) -> Option<&'static str> {
    let b = value.as_bytes();
    for (i, _) in value.match_indices("AKIA") {
        let n = run_len(b, i + 4, |x| x.is_ascii_digit() || x.is_ascii_uppercase());
        if n == 16 && boundary_before(b, i) && b.get(i + 20).is_none_or(|x| !x.is_ascii_alphanumeric()) {
            return Some("AWS access key ID");
        }
    }
    for (i, _) in value.match_indices("-----BEGIN ") {
        let rest = &value[i + 11..];
        if let Some(end) = rest.find("-----")
            && (rest[..end].ends_with("PRIVATE KEY") || rest[..end].ends_with("PRIVATE KEY BLOCK"))
        {
            return Some("private key");
        }
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        for (i, _) in value.match_indices(prefix) {
            if boundary_before(b, i) && run_len(b, i + prefix.len(), |x| x.is_ascii_alphanumeric()) >= 36 {
                return Some("GitHub token");
            }
        }
    }
    for (i, _) in value.match_indices("github_pat_") {
        if boundary_before(b, i) && run_len(b, i + 11, |x| x.is_ascii_alphanumeric() || x == b'_') >= 22 {
            return Some("GitHub token");
        }
    }
    for (i, _) in value.match_indices("xox") {
        let kind_ok = b.get(i + 3).is_some_and(|x| b"baprs".contains(x)) && b.get(i + 4) == Some(&b'-');
        if kind_ok
            && boundary_before(b, i)
            && run_len(b, i + 5, |x| x.is_ascii_alphanumeric() || x == b'-') >= 10
        {
            return Some("Slack token");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{credential_shape, literal_secret};

    #[test]
    fn shapes() {
        // Built at run time so that no credential-shaped literal sits in the source.
        let aws = format!("{}{}", "AKIA", "IOSFODNN7EXAMPLE");
        assert_eq!(credential_shape(&aws), Some("AWS access key ID"));
        assert_eq!(credential_shape(&format!("id={aws};")), Some("AWS access key ID"));
        assert_eq!(credential_shape(&format!("X{aws}")), None);
        assert_eq!(credential_shape(&format!("{aws}X")), None);
        let pem = format!("-----BEGIN {} PRIVATE KEY-----\nfake\n", "RSA");
        assert_eq!(credential_shape(&pem), Some("private key"));
        assert_eq!(credential_shape("-----BEGIN CERTIFICATE-----\nfake\n"), None);
        let gh = format!("{}_{}", "ghp", "a1".repeat(18));
        assert_eq!(credential_shape(&gh), Some("GitHub token"));
        assert_eq!(credential_shape(&format!("{}_{}", "ghp", "short")), None);
        let pat = format!("{}_{}", "github_pat", "A_b".repeat(10));
        assert_eq!(credential_shape(&pat), Some("GitHub token"));
        let slack = format!("{}-{}", "xoxb", "0000-fake-fake-fake");
        assert_eq!(credential_shape(&slack), Some("Slack token"));
        assert_eq!(credential_shape("xoxo-hugs"), None);
        assert_eq!(credential_shape("plain text"), None);
    }

    #[test]
    fn literal_values() {
        assert!(literal_secret("DB_PASSWORD", "hunter2!"));
        assert!(!literal_secret("DB_PASSWORD", "abc"));
        assert!(!literal_secret("DB_PASSWORD", "$(POSTGRES_PASSWORD)"));
        assert!(!literal_secret("DB_PASSWORD", "${DB_PASSWORD}"));
        assert!(!literal_secret("DB_PASSWORD", "{{ .Values.db.password }}"));
        assert!(!literal_secret("DB_PASSWORD", "<your password here>"));
        assert!(!literal_secret("TOKEN_TTL", "3600"));
        assert!(!literal_secret("TOKEN_TTL", "15m"));
        assert!(!literal_secret("ENABLE_TOKEN_AUTH", "true"));
        assert!(!literal_secret("TLS_SECRET_NAME", "web-tls"));
        assert!(!literal_secret(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "/var/run/secrets/gcp/key.json"
        ));
        assert!(literal_secret("API_TOKEN", "s3cr3t-t0k3n"));
    }
}
