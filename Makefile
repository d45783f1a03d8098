# Valet — the two commands people need are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO          ?= go
VERSION     ?=
LDFLAGS     := -s -w $(if $(VERSION),-X main.version=$(VERSION))
DESKTOP_TAGS := desktop,production,webkit2_41
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.7.0
ARGS        ?=

FRONTEND_SRC := $(shell find frontend/src frontend/index.html frontend/public frontend/vite.config.ts frontend/svelte.config.js frontend/package.json -type f 2>/dev/null)
GO_SRC       := $(shell find . -name '*.go' -not -path './frontend/node_modules/*' 2>/dev/null) go.mod go.sum $(wildcard server/store/migrations/*.sql)

.PHONY: run test deps desktop frontend lint gotest frontend-test e2e desktop-smoke bench clean

## run: build the control panel and the server, then start Valet (ARGS="--addr 127.0.0.1:9000" to change flags)
run: bin/valet
	./bin/valet serve $(ARGS)

## test: every check CI runs (installs the Debian packages it needs first, see build/ensure-deps.sh)
test: deps
	$(MAKE) lint gotest frontend-test e2e desktop-smoke

deps:
	build/ensure-deps.sh

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	cd frontend && npm run build

frontend: frontend/dist/index.html

bin/valet: frontend/dist/index.html $(GO_SRC)
	$(GO) build -ldflags '$(LDFLAGS)' -o $@ .

bin/valet-desktop: frontend/dist/index.html $(GO_SRC)
	$(GO) build -tags $(DESKTOP_TAGS) -ldflags '$(LDFLAGS)' -o $@ .

## desktop: build the desktop window binary (needs libgtk-3-dev libwebkit2gtk-4.1-dev)
desktop: bin/valet-desktop

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags $(DESKTOP_TAGS) . ./app
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags $(DESKTOP_TAGS) . ./app

gotest:
	$(GO) test -race -count=1 ./...

frontend-test: frontend/node_modules/.package-lock.json
	cd frontend && npm run check && npm test

e2e: bin/valet
	cd frontend && VALET_BIN=$(CURDIR)/bin/valet npm run e2e

desktop-smoke: bin/valet-desktop
	build/desktop-smoke.sh bin/valet-desktop

## bench: Go benchmarks (figures go to docs/performance.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html
