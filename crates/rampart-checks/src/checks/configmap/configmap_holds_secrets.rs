use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity, Target};

const DEFAULT_KEY_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "privatekey",
    "private_key",
    "access_key",
    "secret_key",
    "credential",
    "credentials",
];

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "configmap-holds-secrets",
        title: "ConfigMap holds a credential",
        severity: Severity::High,
        category: Category::Secrets,
        target: Target::Kinds(&["ConfigMap"]),
        finds: "Entries of ConfigMaps (core v1) in `data`, and in `binaryData` once decoded \
                from base64, that (1) contain a well-known credential shape whatever the key: an \
                AWS access key ID `AKIA...`, a PEM `-----BEGIN ... PRIVATE KEY-----` block, a \
                GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), a Slack \
                token (`xoxb-`, ...), a JSON Web Token (`eyJ...`.`eyJ...`.signature) or a URL \
                with a password (`postgres://user:pass@host`); or (2) have a key naming a \
                credential and a single-line literal value; or (3) are configuration files \
                (several lines, or `;`-separated `key=value` pairs) with a line such as \
                `password=...`, `db.password: ...` or `\"apiKey\": \"...\"` whose key names a \
                credential and whose value is a literal. A key names a credential when, with \
                camelCase split, `-`, `.` and spaces read as `_` and lower-cased, it is one of \
                `key-words` or ends with `_` and one of them (`DB_PASSWORD`, `apiKey`, \
                `client-secret`, but not `password-policy` or `tokenTTL`); keys ending in \
                `tls_secret` or `existing_secret`, which name a Secret object, are ignored. \
                Values that are not reported for a matching key: empty or shorter than 4 \
                characters, `${...}`, `$(...)` or `{{ ... }}` templates, `<...>` placeholders, \
                paths starting with `/`, booleans, numbers and durations, URLs without a \
                password, references to external secret stores (`arn:`, `vault:`, `ref+`), and \
                runs of one repeated character (`****`).",
        why: "ConfigMaps are meant for non-confidential data: any subject allowed to read \
              ConfigMaps in the namespace (far more common than Secret access, and often \
              granted to monitoring and CI tools) can read them, they are shown by \
              `kubectl describe`, are not covered by encryption at rest configured for \
              Secrets, and end up in Git, Helm release history and support bundles. A \
              credential placed there is effectively public inside the organisation.",
        remediation: "Rotate the credential first: it must be considered leaked. Then store \
                      it in a Secret (created out of band, by an external secrets operator or \
                      as a sealed secret), mount it as a file or reference it with \
                      `secretKeyRef`, and keep only non-confidential settings in the \
                      ConfigMap (configuration files can read the secret from an environment \
                      variable or a mounted file).",
        example: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\nstringData:\n  password: <set out of band>\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  DB_HOST: postgres.shop.svc\n  DB_USER: shop\n",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/configmap/",
            "https://kubernetes.io/docs/concepts/configuration/secret/",
            "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
        ],
        controls: &[
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1552.007",
            "nist-800-190:4.1.4",
            "nist-800-53-r5:SC-28",
            "nsa-cisa-1.2:network.secrets",
            "pci-dss-4.0:8.6.2",
            "soc2:CC6.1",
        ],
        equivalents: &[
            "trivy:KSV109",
            "polaris:sensitiveConfigmapContent",
            "kubescape:C-0012",
        ],
        params: &[ParamSpec {
            name: "key-words",
            description: "Words that mark a key as naming a credential: a key matches when, \
                          with camelCase split, `-`, `.` and spaces read as `_` and \
                          lower-cased, it is the word or ends with `_` and the word.",
            default: ParamDefault::Strings(DEFAULT_KEY_WORDS),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "ConfigMap" || !obj.group().is_empty() {
        return;
    }
    let words: Vec<String> = ctx
        .params
        .strings("key-words")
        .iter()
        .map(|w| normalize(w))
        .collect();
    for field in ["data", "binaryData"] {
        for (key, value) in obj.root.get(field).map(Node::entries).unwrap_or_default() {
            let Some(raw) = value.scalar_text() else {
                continue;
            };
            let decoded;
            let text = if field == "binaryData" {
                let Some(bytes) = decode_base64(raw) else {
                    continue;
                };
                decoded = String::from_utf8_lossy(&bytes).into_owned();
                decoded.as_str()
            } else {
                raw
            };
            let Some(finding) = inspect(&key.name, text, &words) else {
                continue;
            };
            out.object_at(
                key.pos,
                &format!("{field}[\"{}\"]", key.name),
                format!(
                    "ConfigMap key \"{}\" {finding}: ConfigMaps are readable by anyone who can \
                     read the namespace's configuration; move it to a Secret and rotate it",
                    key.name
                ),
            );
        }
    }
}

/// What looks like a credential in one ConfigMap entry, as the middle of a message.
fn inspect(key: &str, value: &str, words: &[String]) -> Option<String> {
    if let Some(shape) = credential_shape(value) {
        return Some(format!("holds {shape}"));
    }
    let single_line = !value.trim().contains('\n');
    if single_line && names_credential(key, words) && literal(value) {
        return Some("holds a literal value that looks like a credential".to_string());
    }
    let (line, name) = embedded_credential(value, words)?;
    Some(if value.trim().contains('\n') {
        format!("sets \"{name}\" to a literal value on line {line} of its content")
    } else {
        format!("sets \"{name}\" to a literal value")
    })
}

/// `camelCase-key.name` → `camel_case_key_name`.
fn normalize(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut prev_lower = false;
    for ch in key.trim().chars() {
        if ch.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
            prev_lower = false;
        } else if matches!(ch, '-' | '.' | ' ' | '_') {
            out.push('_');
            prev_lower = false;
        } else {
            out.push(ch);
            prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        }
    }
    out
}

/// Whether a key names a credential (see the check's description).
fn names_credential(key: &str, words: &[String]) -> bool {
    let key = normalize(key);
    if key.ends_with("tls_secret") || key.ends_with("existing_secret") {
        return false;
    }
    words.iter().any(|w| {
        key == *w
            || key
                .strip_suffix(w.as_str())
                .is_some_and(|rest| rest.ends_with('_'))
    })
}

/// Whether a value for a credential-named key plausibly is the credential itself rather
/// than a reference, a template, a placeholder or a setting.
fn literal(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if v.chars().count() < 4 || v.contains('\n') {
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
    if ["true", "false", "yes", "no", "null", "none"]
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w))
    {
        return false;
    }
    // Numbers and durations (`3600`, `1.5`, `15m`, `24h`) are settings.
    let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if v.len() - digits.len() <= 2
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return false;
    }
    // A URL without a password, or a reference to an external secret store.
    if (v.contains("://") && !v.contains('@'))
        || ["arn:", "vault:", "ref+", "secretref+"]
            .iter()
            .any(|p| v.starts_with(p))
    {
        return false;
    }
    // `****`, `xxxx`: masked or placeholder values.
    let mut chars = v.chars();
    let first = chars.next();
    !chars.all(|c| Some(c) == first)
}

/// The first `key = value` or `key: value` line (or `;`-separated pair) of a configuration
/// file whose key names a credential and whose value is a literal: (1-based line, key).
fn embedded_credential<'a>(text: &'a str, words: &[String]) -> Option<(usize, &'a str)> {
    for (n, line) in text.lines().enumerate() {
        for part in line.split(';') {
            let part = part.trim_start();
            let part = part.strip_prefix("export ").unwrap_or(part);
            let part = part.strip_prefix("- ").unwrap_or(part);
            let Some(at) = part.find(['=', ':']) else {
                continue;
            };
            let name = part[..at]
                .trim()
                .trim_start_matches(['{', '['])
                .trim_matches(|c| c == '"' || c == '\'');
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
            {
                continue;
            }
            let mut value = part[at + 1..].trim().trim_end_matches(',').trim_end();
            // The closing brace of a one-line JSON object, not of a `${...}` template.
            if !value.contains('{') {
                value = value.trim_end_matches('}').trim_end();
            }
            if names_credential(name, words) && literal(value) {
                return Some((n + 1, name));
            }
        }
    }
    None
}

fn boundary_before(b: &[u8], i: usize) -> bool {
    i == 0 || !b[i - 1].is_ascii_alphanumeric()
}

fn run_len(b: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    b.get(from..)
        .map_or(0, |rest| rest.iter().take_while(|&&x| ok(x)).count())
}

fn base64url(x: u8) -> bool {
    x.is_ascii_alphanumeric() || x == b'-' || x == b'_'
}

/// The kind of well-known credential the text contains, if any.
fn credential_shape(value: &str) -> Option<&'static str> {
    let b = value.as_bytes();
    for (i, _) in value.match_indices("AKIA") {
        let n = run_len(b, i + 4, |x| x.is_ascii_digit() || x.is_ascii_uppercase());
        if n == 16 && boundary_before(b, i) && b.get(i + 20).is_none_or(|x| !x.is_ascii_alphanumeric()) {
            return Some("an AWS access key ID");
        }
    }
    for (i, _) in value.match_indices("-----BEGIN ") {
        let rest = &value[i + 11..];
        if let Some(end) = rest.find("-----")
            && (rest[..end].ends_with("PRIVATE KEY") || rest[..end].ends_with("PRIVATE KEY BLOCK"))
        {
            return Some("a private key");
        }
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        for (i, _) in value.match_indices(prefix) {
            if boundary_before(b, i) && run_len(b, i + prefix.len(), |x| x.is_ascii_alphanumeric()) >= 36 {
                return Some("a GitHub token");
            }
        }
    }
    for (i, _) in value.match_indices("github_pat_") {
        if boundary_before(b, i) && run_len(b, i + 11, |x| x.is_ascii_alphanumeric() || x == b'_') >= 22 {
            return Some("a GitHub token");
        }
    }
    for (i, _) in value.match_indices("xox") {
        let kind_ok = b.get(i + 3).is_some_and(|x| b"baprs".contains(x)) && b.get(i + 4) == Some(&b'-');
        if kind_ok
            && boundary_before(b, i)
            && run_len(b, i + 5, |x| x.is_ascii_alphanumeric() || x == b'-') >= 10
        {
            return Some("a Slack token");
        }
    }
    for (i, _) in value.match_indices("eyJ") {
        if !boundary_before(b, i) {
            continue;
        }
        let header = run_len(b, i, base64url);
        let payload_at = i + header + 1;
        if header < 10 || b.get(i + header) != Some(&b'.') || !b[payload_at..].starts_with(b"eyJ") {
            continue;
        }
        let payload = run_len(b, payload_at, base64url);
        let signature_at = payload_at + payload + 1;
        if payload >= 10
            && b.get(payload_at + payload) == Some(&b'.')
            && run_len(b, signature_at, base64url) >= 16
        {
            return Some("a JSON Web Token");
        }
    }
    if url_with_password(value) {
        return Some("a URL with a password");
    }
    None
}

/// Whether the text holds `scheme://user:password@host` with a literal password.
fn url_with_password(value: &str) -> bool {
    for (i, _) in value.match_indices("://") {
        let scheme_ok = value[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if !scheme_ok {
            continue;
        }
        let rest = &value[i + 3..];
        let authority_end = rest
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((_, password)) = userinfo.split_once(':') else {
            continue;
        };
        if host.is_empty() || password.is_empty() {
            continue;
        }
        let templated = ["$", "{{", "<", "%"].iter().any(|t| password.contains(t));
        let mut chars = password.chars();
        let first = chars.next();
        let masked = chars.all(|c| Some(c) == first);
        if !templated && !masked {
            return true;
        }
    }
    false
}

/// Decodes standard base64 (padding optional, whitespace ignored).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{
        DEFAULT_KEY_WORDS, credential_shape, decode_base64, inspect, literal, names_credential, normalize,
    };

    fn words() -> Vec<String> {
        DEFAULT_KEY_WORDS.iter().map(|w| normalize(w)).collect()
    }

    #[test]
    fn key_names() {
        let w = words();
        for key in [
            "password",
            "DB_PASSWORD",
            "db.password",
            "apiKey",
            "APIKey",
            "api-key",
            "client-secret",
            "jwtSecret",
            "AWS_SECRET_ACCESS_KEY",
            "ssh-privatekey",
            "token",
            "SMTP_PASSWD",
        ] {
            assert!(names_credential(key, &w), "{key}");
        }
        for key in [
            "password-policy",
            "tokenTTL",
            "token_url",
            "secretName",
            "tls-secret",
            "existingSecret",
            "AWS_ACCESS_KEY_ID",
            "keyspace",
            "monkey",
        ] {
            assert!(!names_credential(key, &w), "{key}");
        }
    }

    #[test]
    fn literal_values() {
        assert!(literal("hunter2!"));
        assert!(literal("\"s3cr3t-value\""));
        assert!(!literal(""));
        assert!(!literal("abc"));
        assert!(!literal("${DB_PASSWORD}"));
        assert!(!literal("{{ .Values.password }}"));
        assert!(!literal("<your password>"));
        assert!(!literal("/etc/secrets/db"));
        assert!(!literal("3600"));
        assert!(!literal("15m"));
        assert!(!literal("true"));
        assert!(!literal("********"));
        assert!(!literal("https://vault.example.com/v1/secret/db"));
        assert!(!literal(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"
        ));
        assert!(!literal("vault:secret/data/db#password"));
    }

    #[test]
    fn shapes() {
        // Built at run time so that no credential-shaped literal sits in the source.
        let aws = format!("{}{}", "AKIA", "IOSFODNN7EXAMPLE");
        assert_eq!(credential_shape(&aws), Some("an AWS access key ID"));
        let pem = format!("-----BEGIN {} PRIVATE KEY-----\nfake\n", "EC");
        assert_eq!(credential_shape(&pem), Some("a private key"));
        assert_eq!(credential_shape("-----BEGIN CERTIFICATE-----\nfake\n"), None);
        let jwt = format!(
            "{}.{}.{}",
            "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJ0ZXN0In0", "c2lnbmF0dXJlLWZha2UtZmFrZQ"
        );
        assert_eq!(credential_shape(&jwt), Some("a JSON Web Token"));
        assert_eq!(credential_shape("eyJhbGciOiJIUzI1NiJ9.notjwt"), None);
        let url = format!("postgres://shop:{}@db.shop.svc:5432/shop", "Tr0ub4dor");
        assert_eq!(credential_shape(&url), Some("a URL with a password"));
        assert_eq!(credential_shape("postgres://shop@db:5432/shop"), None);
        assert_eq!(credential_shape("postgres://shop:${DB_PASSWORD}@db/shop"), None);
        assert_eq!(credential_shape("redis://:****@cache:6379"), None);
        assert_eq!(credential_shape("see https://example.com/docs"), None);
    }

    #[test]
    fn configuration_files() {
        let w = words();
        let props = "server.port=8080\nspring.datasource.password=Sup3rSecret\n";
        assert_eq!(
            inspect("application.properties", props, &w).as_deref(),
            Some("sets \"spring.datasource.password\" to a literal value on line 2 of its content")
        );
        let yaml = "db:\n  host: postgres\n  password: ${DB_PASSWORD}\n  passwordPolicy: strict\n";
        assert_eq!(inspect("config.yaml", yaml, &w), None);
        let json = "{\n  \"apiKey\": \"k-123456789\",\n  \"timeout\": 30\n}\n";
        assert!(inspect("settings.json", json, &w).is_some());
        let conn = "Server=db;Database=shop;User Id=shop;Password=Pa55word!;";
        assert_eq!(
            inspect("ConnectionStrings__Shop", conn, &w).as_deref(),
            Some("sets \"Password\" to a literal value")
        );
        assert_eq!(inspect("password-policy", "min-length=12", &w), None);
        assert_eq!(inspect("DB_PASSWORD", "", &w), None);
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVs\nbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("not base64!"), None);
    }
}
