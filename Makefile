GO ?= go
# Packages whose tests run again under the race detector: those with
# goroutines of their own (the real driver) and those that share state with it.
RACE_PKGS ?= ./node/...

.PHONY: build run test vet fmt-check bench fuzz clean

build:
	$(GO) build -o bin/replab ./cmd/replab

# A local cluster: a master on the first port, a replica of it on each
# other (make run PORTS="8000 8001 8002"); Ctrl-C stops all the nodes.
PORTS ?= 7000 7001 7002

run: build
	./bin/replab cluster --ports "$(PORTS)"

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt wants to rewrite:"; echo "$$out"; exit 1; fi

test: fmt-check vet
	$(GO) test -count=1 ./...
	@if [ -n "$$(ls -d $(RACE_PKGS:./%/...=%) 2>/dev/null)" ]; then $(GO) test -count=1 -race $(RACE_PKGS); fi

bench: build
	$(GO) run ./bench

# Every fuzz target of every package, FUZZTIME each (go test fuzzes one
# target at a time).
FUZZTIME ?= 30s

fuzz:
	@$(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/ { t[n++] = $$1 } /^ok / { for (i = 0; i < n; i++) print $$2, t[i]; n = 0 }' | \
	while read pkg target; do \
		echo "== $$pkg $$target"; \
		$(GO) test "$$pkg" -run XXX -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

clean:
	rm -rf bin
