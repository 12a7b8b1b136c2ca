"""What a quality run reports: result tables, targets and the JSON record.

Results are grouped by what an experiment compares (:data:`RESULT_GROUPS`),
each group mapping a noise setting to its rows. A target is either a ``goal``
the project set (e.g. "best architecture >= reference + 2 dB") or a
``comparison`` recorded without a goal.
"""

import time
from pathlib import Path

import torch

from .harness import jsonable, log, machine, now, versions, write_json

#: result group -> what its rows compare
RESULT_GROUPS = {
    "classical_denoisers": "the reference network against classical denoisers",
    "architectures": "the reference, residual and U-Net architectures",
    "blind_models": "one model for a range of noise levels against per-level models",
    "noise_models": "skdae against the best classical denoiser on other noise models",
}
VERSIONED_PACKAGES = (
    "skdae",
    "torch",
    "skorch",
    "numpy",
    "scipy",
    "scikit-learn",
    "scikit-image",
    "PyWavelets",
    "bm3d",
)


class QualityReport:
    """Collects the rows, targets and tables of a run and writes them out."""

    def __init__(self, run, *, mode, output, markdown=None):
        self.run = run
        self.mode = mode
        self.output = Path(output)
        self.markdown = markdown
        self.results = {group: {} for group in RESULT_GROUPS}
        self.targets = []
        self.tables = []
        self.started = time.time()

    def add(self, group, key, rows, title, noise_column=False):
        """Record ``rows`` under ``results[group][key]`` and print their table."""
        self.results[group][key] = rows
        text = self.table(title, rows, noise_column)
        print("\n" + text, flush=True)
        self.tables.append(text)

    def target(
        self, group, name, margin, threshold, detail, *, strict=False, goal=True
    ):
        """Record whether ``margin`` (dB) reaches ``threshold``."""
        met = margin > threshold if strict else margin >= threshold
        self.targets.append(
            {
                "experiment": group,
                "kind": "goal" if goal else "comparison",
                "target": name,
                "margin_db": round(float(margin), 3),
                "threshold_db": threshold,
                "strict": strict,
                "met": bool(met),
                "detail": detail,
            }
        )
        log(f"TARGET {'MET' if met else 'NOT MET'}: {name} ({detail})")

    def table(self, title, rows, noise_column=False):
        """Markdown table of rows (a dagger marks rows on the BM3D subset)."""
        n, n_test = self.run.n_bm3d, len(self.run.X_test)
        head = ["method"] + (["noise"] if noise_column else []) + ["params"]
        head += ["PSNR", "SSIM", f"PSNR first {n}", "train s", "epochs"]
        lines = [f"### {title}", "", "| " + " | ".join(head) + " |"]
        lines.append("|" + "|".join("---" for _ in head) + "|")
        subset = False
        for r in rows:
            on_subset = r["n_images"] == n and n < n_test
            subset |= on_subset
            cells = [r["method"] + (" †" if on_subset else "")]
            cells += [r["noise"]] if noise_column else []
            cells += [
                str(r.get("params", "")),
                f"{r['psnr']:.2f}",
                f"{r['ssim']:.3f}",
                f"{r['psnr_subset']:.2f}",
                str(r.get("train_time_s", "")),
                str(r.get("epochs", "")),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        if subset:
            lines += ["", f"† on the first {n} test images only (BM3D is slow)."]
        return "\n".join(lines) + "\n"

    def targets_table(self):
        lines = [
            "### Targets",
            "",
            "| experiment | kind | target | margin (dB) | needed | met | detail |",
            "|---|---|---|---|---|---|---|",
        ]
        for t in self.targets:
            need = ("> " if t["strict"] else ">= ") + f"{t['threshold_db']:+g}"
            lines.append(
                f"| {t['experiment']} | {t['kind']} | {t['target']} | "
                f"{t['margin_db']:+.2f} | {need} | {'met' if t['met'] else 'NOT met'} "
                f"| {t['detail']} |"
            )
        return "\n".join(lines) + "\n"

    def document(self, complete):
        """The JSON record of the run so far."""
        run = self.run
        return {
            "benchmark": "skdae denoising quality",
            "date": now().isoformat(timespec="seconds"),
            "mode": self.mode,
            "complete": complete,
            "elapsed_s": round(time.time() - self.started, 1),
            "machine": machine(),
            "versions": versions(VERSIONED_PACKAGES),
            "settings": {k: jsonable(v) for k, v in run.s.items()},
            "data": run.data_info,
            "classical_methods": {
                name: {"grid": [jsonable(p) for p in grid], "description": desc}
                for name, (_, grid, desc) in run.methods.items()
            },
            "notes": run.notes,
            "models": run.model_infos(),
            "results": self.results,
            "targets": self.targets,
        }

    def save(self, complete=False):
        """Write the JSON (after every experiment; ``complete`` at the end)."""
        doc = self.document(complete)
        write_json(self.output, doc)
        if not complete:
            return
        print("\n" + self.targets_table(), flush=True)
        if self.run.notes:
            print("Notes:\n" + "\n".join(f"- {n}" for n in self.run.notes))
        print(f"\nTotal time {doc['elapsed_s']:.0f} s; JSON: {self.output}")
        if self.markdown:
            header = (
                f"Run {doc['date']} ({self.mode}), {doc['machine']['platform']}, "
                f"{doc['machine']['cpu_count']} CPUs, torch threads "
                f"{torch.get_num_threads()}, total {doc['elapsed_s']:.0f} s\n\n"
            )
            body = "\n".join(self.tables) + "\n" + self.targets_table()
            Path(self.markdown).write_text(header + body)
