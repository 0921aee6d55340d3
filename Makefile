# The commands a user types. `make synth` and `make test` install what they
# need on first use: Go modules, and Node 22 with the CDK CLI and jsonata
# (pinned in package.json / package-lock.json) under .tools/.

STACK     := AWSStateFunctionPartialRuns
TOOLS     := .tools
NODE_MODS := $(TOOLS)/node_modules
STAMP     := $(NODE_MODS)/.installed

# The project's Node 22 comes first, so the CDK CLI and jsii's runtime both
# use it rather than an older system Node (which prints an end-of-life banner).
export PATH := $(CURDIR)/$(NODE_MODS)/.bin:$(PATH)
export NODE_PATH := $(CURDIR)/$(NODE_MODS)

# Synth and test need no network: no notices or telemetry requests.
CDK_OFFLINE := CDK_DISABLE_CLI_TELEMETRY=true
CDK_FLAGS   := --no-notices

.PHONY: synth test bench deploy diff destroy fmt lint snapshot tools clean

## synth: install the pinned tools and synthesize the template into cdk.out/
synth: tools
	@$(CDK_OFFLINE) cdk synth $(STACK) --quiet $(CDK_FLAGS)
	@echo "Synthesized $(STACK) to cdk.out/$(STACK).template.json"

## test: install the pinned tools and run every test level
test: tools lint
	go test ./...

## bench: performance figures (ingest snapshot time, Lambda binary size)
bench: tools
	go test -run '^$$' -bench . -benchmem ./lambda/...

## deploy / diff / destroy: the CDK commands against your AWS account
deploy: tools
	cdk deploy $(STACK)

diff: tools
	cdk diff $(STACK)

destroy: tools
	cdk destroy $(STACK)

## fmt: format the Go code
fmt:
	gofmt -w $$(git ls-files '*.go')

## lint: formatting and go vet
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted (run make fmt)"; exit 1; fi
	go vet ./...

## snapshot: refresh the golden files in testdata/ after an intended change
snapshot: tools
	go test ./... -update

tools: $(STAMP)
	@go mod download

$(STAMP): package.json package-lock.json
	@mkdir -p $(TOOLS)
	@cp package.json package-lock.json $(TOOLS)/
	@echo "Installing Node 22, the CDK CLI and jsonata into $(TOOLS)/ ..."
	@cd $(TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf cdk.out $(TOOLS)
