# The two commands of the README: `make demo` and `make test`.
# Both install what is missing (idempotent, quiet), then do their job.
SHELL      := /bin/bash
GO         ?= go
export LANG ?= C.UTF-8
export CGO_ENABLED := 1
# Every build is PIE, like the binaries the .deb ships (lintian wants PIE):
# one set of compiled packages serves vet, tests, the smoke test's app build
# and the packaging tests, which halves a cold `make test` (9 -> 5 min).
# Fyne build tags (both Fyne's own):
# - no_emoji leaves its 4 MB colour-emoji font out: the app shows no emoji,
#   yet Fyne parses that font into every text style it draws (13 MB RSS).
# - no_animations: a steady cursor, no button ripple or tab slide. The
#   fading cursor repainted the window ~12 times a second whenever an entry
#   had focus, i.e. all day, in software GL on a shop PC, and its garbage
#   (0.45 MB/s) kept the heap at twice its live size.
# BenchmarkIdleRSS / BenchmarkWorkingRSS in cmd/tradein-terminal measure them.
export GOFLAGS := $(strip $(GOFLAGS) -buildmode=pie -tags=no_emoji,no_animations)

# Fyne's cgo build (GLFW) and the test tools: Xvfb for the real-window smoke
# test (xdotool types into it, ImageMagick takes screenshots), socat for pty
# pairs, zbar for checking printed QR codes, CJK fonts; lintian and
# osslsigncode check the .deb and Authenticode signing in packaging/packagetest,
# dpkg-dev computes the .deb's Depends (dpkg-shlibdeps), nsis and p7zip-full
# compile and list the NSIS installer and the Windows resources there.
BUILD_DEPS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
              libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
TEST_DEPS  := xvfb xauth xdotool imagemagick socat zbar-tools fonts-noto-cjk \
              lintian osslsigncode openssl desktop-file-utils dpkg-dev nsis p7zip-full
PKG_DEPS   := nsis p7zip-full lintian gcc-mingw-w64-x86-64 osslsigncode dpkg-dev

BIN        := bin
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS    := -X tradein/agent.Version=$(VERSION)

.PHONY: deps tools test bench demo build package clean fuzz

# node/npx runs the contract's third-party tools from the npm registry, at
# the versions pinned in sync/api/apitest/npx.go: the OpenAPI linter
# (Redocly CLI, sync/api) and the mock server built from openapi.yaml alone
# (Stoplight Prism, sync/contract). npx fetches each into one npm cache on
# first use, so a second run installs nothing. A machine that already has
# node (e.g. from NodeSource) keeps its own.
deps:
	@packaging/scripts/ensure-deps.sh $(BUILD_DEPS) $(TEST_DEPS)
	@command -v npx >/dev/null 2>&1 || packaging/scripts/ensure-deps.sh nodejs npm

build: deps
	@mkdir -p $(BIN)
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

# Static checkers at pinned versions, installed from the module proxy into
# bin/tools/<name>@<version>/ (once: the file is the make target, so a fresh
# clone or CI machine installs them and later runs reuse them).
STATICCHECK_VERSION := v0.8.2
DEADCODE_VERSION    := v0.52.0
TOOLS       := $(CURDIR)/$(BIN)/tools
STATICCHECK := $(TOOLS)/staticcheck@$(STATICCHECK_VERSION)/staticcheck
DEADCODE    := $(TOOLS)/deadcode@$(DEADCODE_VERSION)/deadcode

$(STATICCHECK):
	GOBIN=$(@D) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(DEADCODE):
	GOBIN=$(@D) $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)

tools: $(STATICCHECK) $(DEADCODE)

# -race refuses -buildmode=pie, so the race run builds without it (its
# packages are compiled apart from the PIE ones in any case).
RACE_GOFLAGS := $(strip $(filter-out -buildmode=pie,$(GOFLAGS)))
# Packages left out of the race run, each for a reason: the field-support
# screens (ui/support) still hand background results to widgets with
# fyne.Do, which Fyne's test driver runs on the calling goroutine, so their
# tests race with the test goroutine; they move to the screens' async
# runner (ui/async) like the sale, login and manager screens did.
#
# cmd/tradein-terminal and packaging/packagetest drive separately built
# programs (the app under Xvfb, the installed .deb): the code they test
# runs in processes the race detector does not instrument, and they were
# the slowest packages under -race (390 s and 490 s of a 35 min cold race
# run, fresh GOCACHE, on 2 cores shared with other builds).
RACE_SKIP := tradein/ui/support tradein/cmd/tradein-terminal tradein/packaging/packagetest
RACE_PKGS  = $(filter-out $(RACE_SKIP),$(shell $(GO) list ./...))

# Every test, fuzz seed corpus included (go test runs Fuzz targets on their
# seeds), then every test again under the race detector; vet, staticcheck
# and deadcode (packaging/scripts/check-deadcode.sh) first. -p 2 matches the
# 2-core machines.
test: deps tools
	$(GO) vet ./...
	$(STATICCHECK) ./...
	packaging/scripts/check-deadcode.sh $(DEADCODE)
	$(GO) test -p 2 -count=1 -timeout 14m ./...
	GOFLAGS='$(RACE_GOFLAGS)' $(GO) test -race -p 2 -count=1 -timeout 20m $(RACE_PKGS)

# Benchmarks with targets from the issues; prints a table.
bench: deps
	@$(GO) test -run '^$$' -bench . -count 1 -timeout 30m ./... 2>&1 | tee $(BIN)/bench.txt | $(GO) run ./cmd/benchtable

demo: build
	@packaging/scripts/demo.sh

package: deps
	@packaging/scripts/ensure-deps.sh $(PKG_DEPS)
	@packaging/scripts/package.sh $(VERSION)

clean:
	rm -rf $(BIN) dist

# Every fuzz target for FUZZTIME each (seed corpora already run in `make test`).
FUZZTIME ?= 10s
fuzz: deps
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
