# stigmer: the one entry point. `make demo` runs the journey, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export STIGMER_TOOLS_DIR ?= $(HOME)/.cache/stigmer-dev/bin
export PATH := $(STIGMER_TOOLS_DIR):$(PATH)
VERSION ?= dev-test

.PHONY: help setup build build-cli build-agent-runner-binary run-agent-runner-binary \
        test test-cli test-agent-runner test-release test-e2e lint demo bench \
        release-local serve-releases upload-binary cross-arm64 clean

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

setup: ## install build and test dependencies (idempotent, cached)
	@bash scripts/setup.sh

build: build-cli build-agent-runner-binary ## build the CLI and the agent-runner executable

build-cli: setup ## build the stigmer CLI (cli/build/stigmer)
	$(MAKE) -C cli build

build-agent-runner-binary: setup ## freeze agent-runner into agent-runner/dist/agent-runner
	$(MAKE) -C agent-runner build-binary VERSION=$(VERSION)

run-agent-runner-binary: build-agent-runner-binary ## run the frozen agent-runner
	$(MAKE) -C agent-runner run-binary

test: setup ## run every test suite (unit, integration, sanitizers, end-to-end, lint)
	bash scripts/test-all.sh

test-cli: setup
	$(MAKE) -C cli test

test-agent-runner: setup
	$(MAKE) -C agent-runner test

lint: setup ## actionlint, shellcheck, clang-format, formula syntax
	bash scripts/lint.sh

# Sets up only what it uses (scripts/setup.sh demo), itself: its last line says how long it all took.
demo: ## set up, build, publish a local signed release, start the stack from it, run an agent, stop
	bash scripts/demo.sh

bench: setup ## print the performance figures
	bash scripts/bench-all.sh

release-local: setup ## build and sign a linux-amd64 release tree in out/releases (VERSION=dev-test)
	bash release/release-local.sh "$(VERSION)"

serve-releases: ## serve out/releases over HTTP on loopback
	python3 release/serve.py --root out/releases

cross-arm64: setup ## cross-build the CLI for linux-arm64 and run its unit tests under qemu-user
	$(MAKE) -C release cross-arm64

upload-binary: ## publish out/releases/$(VERSION) to the S3 endpoint in the environment
	bash release/upload.sh "$(VERSION)"

clean: ## remove build outputs
	rm -rf cli/build cli/build-* agent-runner/build agent-runner/build-tmp.* agent-runner/dist out
