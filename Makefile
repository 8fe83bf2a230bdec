# hoadon — the two commands a newcomer needs are `make run` and `make test`.
SHELL := bash
GO    ?= go
PKGS  ?= ./...
FUZZTIME ?= 3s

.PHONY: run test lint fmt tidy vet staticcheck fuzz bench build

## run: a real import end to end against the bundled GDT simulator and emulators
run:
	@bash scripts/run.sh

## test: every test, offline (starts the emulators it needs itself)
test: lint
	$(GO) test -count=1 -timeout 30m $(PKGS)
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)

## lint: gofmt check, go.mod tidy, go vet, staticcheck
lint: fmt tidy vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# tidy: go.mod and go.sum are what `go mod tidy` makes them (direct
# requirements unmarked, nothing missing or unused); prints the diff if not.
tidy:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

## fuzz: run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=1m)
fuzz:
	@set -e; for t in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$t/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$t $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$t; \
	  done; done

build:
	$(GO) build -o bin/ ./cmd/...

## tf-check: terraform init, validate and the plan tests of terraform/tests with the
## google provider from a local mirror (HOADON_TF_PROVIDER_MIRROR; terraform/README.md)
.PHONY: tf-check
tf-check:
	@bash scripts/tf-check.sh

## image: the cmd/server container image (Dockerfile) with docker if an engine
## answers, else with ko (KO_DOCKER_REPO pushes there; unset writes out/server-image.tar)
IMAGE ?= hoadon-server:dev
.PHONY: image
image:
	@if docker info >/dev/null 2>&1; then \
	  echo "docker build --platform linux/amd64 -t $(IMAGE) ."; docker build --platform linux/amd64 -t $(IMAGE) .; \
	elif command -v ko >/dev/null 2>&1; then \
	  if [ -n "$$KO_DOCKER_REPO" ]; then \
	    echo "ko build --bare ./cmd/server -> $$KO_DOCKER_REPO"; \
	    ko build --bare --platform=linux/amd64 ./cmd/server; \
	  else \
	    mkdir -p out; echo "ko build -> out/server-image.tar (set KO_DOCKER_REPO to push)"; \
	    KO_DOCKER_REPO=ko.local ko build --bare --platform=linux/amd64 --push=false --tarball=out/server-image.tar ./cmd/server; \
	  fi; \
	else \
	  echo "make image: no Docker engine answers (docker info failed) and ko is not installed." >&2; \
	  echo "  Install Docker, or ko (https://ko.build), or build in the cloud:" >&2; \
	  echo "  gcloud builds submit --tag REGION-docker.pkg.dev/PROJECT/hoadon/server:TAG ." >&2; \
	  exit 1; \
	fi

## bench: imports against the simulator's per-account limit, side by side with a
## plain-loop baseline: throughput vs the Little's-law bound, CPU and peak RSS per
## process, API latency under load (docs/benchmarks.md). BENCH_FLAGS adds flags.
BENCH_FLAGS ?=
.PHONY: bench-large
bench:
	@mkdir -p out/bench/bin
	@$(GO) build -o out/bench/bin/bench ./cmd/bench
	@out/bench/bin/bench -scenarios one,twenty -timeout 12m -json out/bench.json $(BENCH_FLAGS)

## bench-export: the bảng kê workbook of 10,000 and 100,000 invoices × 5 lines in child
## processes: wall time, CPU, peak RSS, size (docs/benchmarks.md, "Export")
.PHONY: bench-export
bench-export:
	@mkdir -p out/bench/bin
	@$(GO) build -o out/bench/bin/exportbench ./cmd/exportbench
	@out/bench/bin/exportbench -sizes 10000,100000 -lines 5 -json out/bench-export.json $(BENCH_FLAGS)

## bench-pages: the console's pages with 100 companies × 12 monthly imports
## in Firestore: p50/p99/max and Firestore reads per page (docs/benchmarks.md)
.PHONY: bench-pages
bench-pages:
	@mkdir -p out
	@$(GO) run ./cmd/pagebench -companies 100 -months 12 -json out/bench-pages.json

## bench-large: 100 companies × 1,000 invoices at L = 8 s (bound 50/s: ≈ 35 min; not in CI).
## No baseline (it would take as long again; the ratio needs none): BENCH_FLAGS= overrides.
bench-large:
	@mkdir -p out/bench/bin
	@$(GO) build -o out/bench/bin/bench ./cmd/bench
	@out/bench/bin/bench -scenarios large -timeout 50m -json out/bench-large.json -out out/bench-large $(if $(BENCH_FLAGS),$(BENCH_FLAGS),-no-baseline)
