//! `rampart node`: the CIS Kubernetes Benchmark (sections 1 to 4) on a node's files.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};
use rampart_config::Date;
use rampart_node::{Distribution, NodeFs, NodeView, Options, Role};

use crate::cli::{ColorChoice, NodeArgs, NodeFormat};
use crate::run::{load_config, write_stdout};

pub fn run(args: &NodeArgs) -> Result<u8> {
    if args.list {
        write_stdout(&list())?;
        return Ok(0);
    }
    if !matches!(args.benchmark.as_str(), "auto" | "cis-1.12") {
        eprintln!(
            "error: unknown benchmark `{}`: expected cis-1.12 or auto",
            args.benchmark
        );
        return Ok(2);
    }
    let role = match args.role.as_str() {
        "auto" => None,
        "master" => Some(Role::Master),
        "worker" => Some(Role::Worker),
        other => {
            eprintln!("error: unknown role `{other}`: expected master, worker or auto");
            return Ok(2);
        }
    };
    let distribution = if args.distribution == "auto" {
        None
    } else if let Some(d) = Distribution::parse(&args.distribution) {
        Some(d)
    } else {
        eprintln!(
            "error: unknown distribution `{}`: expected kubeadm, k3s, rke2, eks, gke, aks or auto",
            args.distribution
        );
        return Ok(2);
    };
    if !args.root.is_dir() {
        eprintln!("error: --root {} is not a directory", args.root.display());
        return Ok(2);
    }
    let cwd = std::env::current_dir().context("cannot determine the current directory")?;
    let config = match load_config(args.config.as_ref(), args.no_config, &cwd)? {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return Ok(2);
        }
    };
    let fs = NodeFs::new(&args.root);
    let node = args
        .node_name
        .clone()
        .unwrap_or_else(|| rampart_node::node_name(&fs));
    let view = NodeView::load(
        fs,
        &Options {
            distribution,
            role,
            proc_dir: args.proc.clone(),
        },
    );
    if view.running.is_empty() {
        for p in &view.problems {
            eprintln!("warning: {}: {}", p.file, p.message);
        }
        eprintln!(
            "error: no Kubernetes component (kubelet, kube-apiserver, etcd, ...) found under {}; \
             --root must be a node's filesystem (for a pod, the host mount), and --proc its /proc",
            args.root.display()
        );
        return Ok(2);
    }
    let report = rampart_node::audit(&view, &node, &config.node_exceptions, Date::today());
    let unknown: Vec<&str> = config
        .node_exceptions
        .iter()
        .flat_map(|e| e.items.iter())
        .filter(|i| *i != "*" && !rampart_node::ITEMS.iter().any(|it| it.id == i.as_str()))
        .map(String::as_str)
        .collect();
    for id in unknown {
        eprintln!(
            "warning: node-exceptions name item {id}, which CIS Kubernetes v1.12 sections 1-4 do not have"
        );
    }
    let color = args.output.is_none()
        && match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
            }
        };
    let out = match args.format {
        NodeFormat::Text => rampart_node::render::text(&report, color, args.show_passed),
        NodeFormat::Json => rampart_node::render::json(&report),
        NodeFormat::Sarif => rampart_node::render::sarif(&report, env!("CARGO_PKG_VERSION")),
        NodeFormat::Junit => rampart_node::render::junit(&report),
    };
    match &args.output {
        Some(p) => {
            crate::run::write_report_file(p, |w| w.write_all(out.as_bytes()))
                .with_context(|| format!("cannot write {}", p.display()))?;
            let s = report.summary;
            let _ = writeln!(
                std::io::stderr(),
                "rampart node: {} passed, {} failed ({} accepted), {} manual, {} not applicable",
                s.pass,
                s.fail,
                s.excepted,
                s.warn,
                s.not_applicable
            );
        }
        None => write_stdout(&out)?,
    }
    Ok(u8::from(report.failing().next().is_some()))
}

fn list() -> String {
    let catalog = rampart_compliance::find(rampart_node::CATALOG);
    let mut out = String::new();
    for item in rampart_node::ITEMS {
        let control = catalog.and_then(|c| c.control(item.id));
        let manual = matches!(item.test, rampart_node::rule::Test::Manual);
        let _ = writeln!(
            out,
            "{:<7} {:<9} {}",
            item.id,
            if manual { "manual" } else { "automated" },
            control.map_or("", |c| c.title.as_str())
        );
    }
    out
}
