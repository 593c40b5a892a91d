.PHONY: bench bench-quick

# Nimbus side by side with its peers; see bench/README.md.
bench:
	go run ./bench

bench-quick:
	go run ./bench --quick
