"""One module per role: build tiny/perf placeholders, locate packaged weights, load, smoke-test."""
