//! Fuzzes the YAML/JSON loader of `rampart-model` end to end, the way the scanner uses it:
//! bytes -> `decode` -> `parse_source` -> for every object `PodSpec::of`, its containers and
//! `Node::to_json`, checking invariants the rest of Rampart relies on (see README.md).

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use rampart_model::{DecodeError, Limits, Node, PodSpec, Pos, Source, Value, decode, parse_source};

fuzz_target!(|data: &[u8]| {
    let text = match decode(data.to_vec()) {
        Ok(text) => text,
        Err(DecodeError::InvalidUtf8(pos)) => {
            // The position of bad UTF-8 is inside the bytes we were given.
            // Line breaks as YAML counts them: \n, \r\n and a lone \r.
            let lines = data
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
                .count()
                + 1;
            assert!(
                pos.line >= 1 && pos.line as usize <= lines && pos.col >= 1,
                "decode: invalid UTF-8 reported at {pos} but the input has {lines} lines"
            );
            return;
        }
        Err(_) => return,
    };
    assert!(!text.trim().is_empty(), "decode returned a blank text");
    assert!(!text.starts_with('\u{feff}'), "decode kept the byte-order mark");

    // Lines as the rest of Rampart sees them (`Source::line` uses `str::lines`).
    let lines = text.lines().count();
    let source = Arc::new(Source::new("fuzz.yaml".to_string(), Some(text)));
    let limits = Limits::default();
    let parsed = parse_source(&source, &limits);

    for (what, problems) in [("error", &parsed.errors), ("warning", &parsed.warnings)] {
        for p in problems {
            check_pos(p.pos, lines + 1, || format!("{what} `{}`", p.message));
        }
    }

    for obj in &parsed.objects {
        assert!(Arc::ptr_eq(&obj.source, &source), "object lost its source");
        let root = obj.pos();
        check_pos(root, lines, || format!("root of {}", obj.display()));
        assert!(
            source.line(root.line).is_some(),
            "root of {} at {root} does not name a line of the text",
            obj.display()
        );
        let count = obj.root.count();
        assert!(
            count <= limits.max_nodes,
            "{} has {count} nodes, over the limit of {}",
            obj.display(),
            limits.max_nodes
        );
        // Every node and key inside the object points into the text too (the end of the
        // stream counts as one line past the last, as for errors).
        walk(&obj.root, |pos, what| {
            check_pos(pos, lines + 1, || format!("{what} in {}", obj.display()));
        });

        if let Some(pod) = PodSpec::of(obj) {
            assert!(pod.node.as_map().is_some(), "pod spec is not a mapping");
            for c in pod.containers() {
                assert!(c.node.as_map().is_some(), "container is not a mapping");
                assert!(c.path().starts_with(pod.path));
                let _ = c.name.len();
            }
        }
        let json = obj.root.to_json();
        assert!(json.is_object(), "the root of {} is not a JSON object", obj.display());
    }
});

fn check_pos(pos: Pos, max_line: usize, what: impl Fn() -> String) {
    assert!(
        pos.line >= 1 && pos.line as usize <= max_line && pos.col >= 1,
        "{} is at {pos}, outside the text (lines 1..={max_line})",
        what()
    );
}

/// Visits every node and key position without recursion (aliases can make trees deep).
fn walk(root: &Node, mut f: impl FnMut(Pos, &'static str)) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        f(node.pos, "node");
        match &node.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                for (k, v) in entries {
                    f(k.pos, "key");
                    stack.push(v);
                }
            }
        }
    }
}
