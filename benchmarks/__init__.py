"""skdae's benchmarks: speed against a plain PyTorch loop, denoising quality.

Run from the repository root: ``python -m benchmarks speed|quality|profile``
(see ``benchmarks/README.md``). Modules, by what they measure:

* :mod:`~benchmarks.harness`: data loading, timing, environment record, output;
* :mod:`~benchmarks.loops`: the plain PyTorch loops and skdae's fit, as compared;
* :mod:`~benchmarks.speed`: the speed entry point, running
  :mod:`~benchmarks.training_speed`, :mod:`~benchmarks.inference_speed`,
  :mod:`~benchmarks.scaling`, :mod:`~benchmarks.memory` and
  :mod:`~benchmarks.flop_rate`;
* :mod:`~benchmarks.quality`: the quality entry point, running the experiments of
  :mod:`~benchmarks.classical_comparison`, :mod:`~benchmarks.architectures`,
  :mod:`~benchmarks.blind_models` and :mod:`~benchmarks.noise_models` on a
  :class:`~benchmarks.quality_run.QualityRun` (data, models, rows) with a
  :class:`~benchmarks.quality_report.QualityReport` (tables, targets, JSON);
  :mod:`~benchmarks.classical_denoisers` and :mod:`~benchmarks.noise_settings`
  are what they compare on;
* :mod:`~benchmarks.profile_training`: where a training epoch's time goes.
"""
