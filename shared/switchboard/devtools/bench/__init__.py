"""Benchmarks: answer quality, honest confidence, handoff detection, speed (`make bench`)."""
