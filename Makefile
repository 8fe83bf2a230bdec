# hoadon — the two commands a newcomer needs are `make run` and `make test`.
SHELL := bash
GO    ?= go
PKGS  ?= ./...
FUZZTIME ?= 3s

.PHONY: run test lint fmt vet staticcheck fuzz bench build

## run: a real import end to end against the bundled GDT simulator and emulators
run:
	$(GO) run ./cmd/hoadon demo

## test: every test, offline (starts the emulators it needs itself)
test: lint
	$(GO) test -count=1 -timeout 30m $(PKGS)
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)

## lint: gofmt check, go vet, staticcheck
lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

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
