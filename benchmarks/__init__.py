"""Steward's benchmarks: a reproducible data generator and one command that measures everything.

``python -m benchmarks.generate --url URL --seed 42 [--scale 1.0]`` loads a synthetic organisation;
``python -m benchmarks run [--quick] [--postgres URL]`` runs every benchmark and writes BENCHMARKS.md.
Figures are printed and recorded, never asserted: machines are noisy. What CI asserts lives in
``tests/benchmarks`` (statement counts that must not grow with the data).
"""
