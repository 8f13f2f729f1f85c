use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "cronjob-concurrency-allowed",
        title: "CronJob lets its runs overlap",
        severity: Severity::Low,
        category: Category::Reliability,
        enabled_by_default: false,
        target: Target::Kinds(&["CronJob"]),
        finds: "CronJobs (`batch`) whose `spec.concurrencyPolicy` is `Allow` or unset \
                (`Allow` is the default), so a new run starts even while the previous one is \
                still running. Suspended CronJobs (`suspend: true`) are reported too: the \
                policy applies as soon as they resume.",
        why: "When a run takes longer than the schedule's interval (a slow database, a stuck \
              network call, a job that never ends), `Allow` starts the next one anyway: runs \
              pile up, compete for the same data (two backups writing one file, two \
              migrations, double-sent reports) and keep consuming the namespace's quota \
              until someone notices.",
        remediation: "Set `concurrencyPolicy: Forbid` (skip a run while the previous one is \
                      active) or `Replace` (stop the previous run and start the new one), and \
                      give the Job an `activeDeadlineSeconds` so a hung run ends. Keep `Allow` \
                      only for runs that are independent of each other, with an exception.",
        example: "spec:\n  schedule: \"0 * * * *\"\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      activeDeadlineSeconds: 3000\n",
        references: &[
            "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.group() != "batch" {
        return;
    }
    match obj
        .root
        .at("spec.concurrencyPolicy")
        .and_then(Node::scalar_text)
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some("Allow") => out.object(
            "spec.concurrencyPolicy",
            "CronJob sets concurrencyPolicy: Allow, so its runs can overlap; use Forbid or Replace",
        ),
        None => out.object(
            "spec.concurrencyPolicy",
            "CronJob sets no concurrencyPolicy, so the default Allow lets its runs overlap; use Forbid or Replace",
        ),
        Some(_) => {}
    }
}
