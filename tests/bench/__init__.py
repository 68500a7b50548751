"""Benchmarks: run by hand (``python -m tests.bench.bench_vacancies``), never by pytest."""
