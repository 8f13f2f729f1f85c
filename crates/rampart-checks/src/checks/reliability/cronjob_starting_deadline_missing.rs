use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "cronjob-starting-deadline-missing",
        title: "CronJob has no deadline for starting a missed run",
        severity: Severity::Low,
        category: Category::Reliability,
        enabled_by_default: false,
        target: Target::Kinds(&["CronJob"]),
        finds: "CronJobs (`batch`) without `spec.startingDeadlineSeconds` (unset or null).",
        why: "When a scheduled time is missed (the controller was down or restarting, the \
              CronJob was suspended, the Job could not be created), a CronJob without a \
              starting deadline starts the most recent missed run whenever it can, however \
              late: a nightly job then runs in the middle of the business day, or as soon as \
              a suspended CronJob is resumed. The controller also has to count every missed \
              time since the last run; after more than 100 it warns, and older controllers \
              stopped scheduling the CronJob altogether.",
        remediation: "Set `startingDeadlineSeconds` to how late a run may still usefully start \
                      (at least 10 seconds: the controller checks every 10 seconds); later \
                      runs are skipped and counted as missed.",
        example: "spec:\n  schedule: \"0 2 * * *\"\n  startingDeadlineSeconds: 600\n",
        references: &[
            "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#starting-deadline",
            "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#cron-job-limitations",
        ],
        equivalents: &["kube-score:cronjob-has-deadline"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.group() != "batch" {
        return;
    }
    if obj
        .root
        .at("spec.startingDeadlineSeconds")
        .is_some_and(|n| !n.is_null())
    {
        return;
    }
    out.object(
        "spec.startingDeadlineSeconds",
        "CronJob sets no startingDeadlineSeconds, so a missed run starts however late; set how late a run may start",
    );
}
