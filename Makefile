.PHONY: build test bench bench-quick

# The release binary: static (no cgo), reproducible paths.
build:
	CGO_ENABLED=0 go build -trimpath -o nimbus ./cmd/nimbus

test:
	go test ./...

# Nimbus side by side with its peers; see bench/README.md.
bench:
	go run ./bench

bench-quick:
	go run ./bench --quick
