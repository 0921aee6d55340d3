# The commands a user types. `make synth` and `make test` install what they
# need on first use: Go modules; Node 22 with the CDK CLI and jsonata (pinned
# in package.json / package-lock.json) under .tools/; and, for the tests, a
# Python virtual environment with PySpark, pytest and pytest-xdist, ruff,
# cfn-lint, jsonata-python and moto (pinned in
# glue_scripts/requirements-dev.txt and constraints.txt) under .tools/venv,
# checkov (security/) under .tools/checkov, and Iceberg's Spark runtime and
# the SQLite driver of the local Iceberg catalog (glue_scripts/jars/pom.xml,
# with Maven) under .tools/jars, and aws/event-ruler (internal/ruler/pom.xml)
# under .tools/ruler.

STACK     := AWSStateFunctionPartialRuns
TOOLS     := .tools
NODE_MODS := $(TOOLS)/node_modules
STAMP     := $(NODE_MODS)/.installed
VENV      := $(TOOLS)/venv
PY_STAMP  := $(VENV)/.installed
CHECKOV_VENV  := $(TOOLS)/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
MINISTACK_VENV  := $(TOOLS)/ministack
MINISTACK_STAMP := $(MINISTACK_VENV)/.installed
JARS_STAMP := $(TOOLS)/jars/.installed
RULER_STAMP := $(TOOLS)/ruler/.installed
# The release make rehearse upgrades from, and its Go modules' stamp.
BASELINE_COMMIT := $(shell sed -n '/^[0-9a-f]\{40\}$$/p' BASELINE)
BASELINE_STAMP  := $(TOOLS)/baseline/$(BASELINE_COMMIT).modules
PYTHON    ?= python3
# Every Go module of the repository: the app, and the skippable construct,
# a module of its own. go test ./... stops at a nested module, so each is
# run on its own (TestEveryModuleIsTested keeps this list complete).
GO_MODULES := . constructs/skippable
# in_modules CMD: run CMD in each Go module, stopping at the first failure.
in_modules = for m in $(GO_MODULES); do (cd $$m && $(1)) || exit 1; done

# The project's Node 22 comes first, so the CDK CLI and jsii's runtime both
# use it rather than an older system Node (which prints an end-of-life banner).
export PATH := $(CURDIR)/$(NODE_MODS)/.bin:$(PATH)
export NODE_PATH := $(CURDIR)/$(NODE_MODS)

# Synth and test need no network: no notices or telemetry requests.
CDK_OFFLINE := CDK_DISABLE_CLI_TELEMETRY=true
CDK_FLAGS   := --no-notices

.PHONY: help synth validate local local-assembly app-sources sql test bench rehearse partialrun bootstrap deploy diff destroy fmt lint snapshot tools clean

## help: list the targets and what each does
help:
	@awk '/^## [a-z][a-z \/-]*:/ { sub(/^## /, ""); printf "  %s\n", $$0; more = 1; next } /^## / && more { sub(/^## /, "      "); print; next } { more = 0 }' Makefile

## synth: install the pinned tools and synthesize the template into cdk.out/
## (reused when nothing it is made from changed: FRESH=1 synthesizes again)
synth: tools
	@$(CDK_OFFLINE) bash scripts/synthonce.sh $(if $(FRESH),--fresh) -- cdk synth $(STACK) --quiet $(CDK_FLAGS) $(CDK_ARGS)
	@echo "Synthesized $(STACK) to cdk.out/$(STACK).template.json"

# What the synthesized assembly is made from. make local synthesizes again
# only when one of them is newer than the template (make synth compares
# content: scripts/synthonce.sh).
TEMPLATE    := cdk.out/$(STACK).template.json
APP_SOURCES := $(shell find main.go cdk.json go.mod go.sum stacks constructs internal lambda glue_scripts \
	-path glue_scripts/tests -prune -o -type f \( -name '*.go' -o -name '*.py' -o -name '*.js' -o -name '*.json' -o -name 'go.*' \) \
	! -name '*_test.go' ! -path '*/testdata/*' -print 2>/dev/null)

$(TEMPLATE): $(APP_SOURCES) | tools
	@$(CDK_OFFLINE) cdk synth $(STACK) --quiet $(CDK_FLAGS) $(CDK_ARGS)
	@echo "Synthesized $(STACK) to $(TEMPLATE)"

## validate: ask Step Functions' ValidateStateMachineDefinition (free,
## creates nothing) whether AWS accepts the synthesized definition; with no
## AWS credentials it says so in one line and succeeds
VALIDATE := $(TOOLS)/bin/validate -template cdk.out/$(STACK).template.json

validate: synth
	@go build -o $(TOOLS)/bin/validate ./cmd/validate
	@$(VALIDATE)

## local: run the whole pipeline on this machine from the synthesized state
## machine, on local data under .local/ (no AWS): make local FLAGS='{"lambda_load_data": false}'
## or FLAGS_FILE=path/to/input.json; LOCAL_DIR=.local-2 keeps a second
## run's data and catalog apart, so two can run at once
# The input reaches the runner in the environment, as typed ($(value)
# stops make expanding a $ in it): never through a shell, and never through
# a shared file, which a second make local beside this one would overwrite.
local: export LOCAL_FLAGS := $(value FLAGS)
# One run at a time holds a state folder (its catalog admits one process).
# It reaches the runner in the environment, so no shell parses it.
LOCAL_DIR ?= .local
override LOCAL_DIR := $(value LOCAL_DIR)
export LOCAL_DIR
# The local run deploys two systems, both served the bundled feed offline,
# into an assembly of its own: cdk.out stays what cdk.json configures.
LOCAL_ASSEMBLY := $(TOOLS)/local.out
LOCAL_SYSTEMS  := [{"id":"velib","url":"https://velib.example.org/"},{"id":"citybikes","url":"https://citybikes.example.org/"}]
# The end-to-end tests share it (internal/testassembly). scripts/synthonce.sh
# synthesizes it again only when something it is made from changed, or the
# assembly did (the same content key as make synth's), into a new folder
# mirrored onto $(LOCAL_ASSEMBLY) (cmd/mirror): a file whose content did
# not change keeps its time, and go test, which keys those tests' results
# on the files' times, reuses them. Stack traces are kept out of its
# metadata, where their temporary paths would differ at every synth.
## local-assembly: bring make local's assembly up to date and print its
## folder (the end-to-end tests read it: make test calls it first, and
## go test run by hand calls it through internal/testassembly)
local-assembly: tools
	@go build -o $(TOOLS)/bin/mirror ./cmd/mirror
	@CDK_DISABLE_STACK_TRACE=1 $(CDK_OFFLINE) bash scripts/synthonce.sh --out $(LOCAL_ASSEMBLY) -- \
		cdk synth $(STACK) --quiet $(CDK_FLAGS) -c 'systems=$(LOCAL_SYSTEMS)' >&2
	@echo $(CURDIR)/$(LOCAL_ASSEMBLY)
local: local-assembly $(PY_STAMP) $(JARS_STAMP)
	$(if $(and $(value FLAGS),$(value FLAGS_FILE)),$(error give FLAGS or FLAGS_FILE, not both))
	@go build -o $(TOOLS)/bin/local ./cmd/local
	@$(TOOLS)/bin/local -assembly $(LOCAL_ASSEMBLY)

## app-sources: print the files the app is synthesized from
# The Glue library ships whole (less bytecode), data files included.
app-sources:
	@printf '%s\n' $(APP_SOURCES) package-lock.json \
		$$(find glue_scripts/lib -type f ! -path '*/__pycache__/*' ! -name '*.pyc') | LC_ALL=C sort -u

## sql: query the tables make local wrote, printed as a table:
## make sql Q="SELECT system, count(*) FROM velib_data_silver GROUP BY system"
## (LOCAL_DIR as for make local; exits non-zero with the engine's message)
# Like FLAGS, the query reaches the runner in the environment.
sql: export LOCAL_SQL := $(value Q)
sql: $(PY_STAMP) $(JARS_STAMP)
	$(if $(value Q),,$(error give the query as Q="SELECT ..."))
	@go build -o $(TOOLS)/bin/local ./cmd/local
	@$(TOOLS)/bin/local

## test: install the pinned tools and run every test level (checkov and the
## emulator rehearsal, make rehearse, included);
## a level whose inputs are unchanged since it last passed reports "cached"
## (go test's cache, glue_scripts/run_tests.py for pytest, and the
## rehearsal on an unchanged working tree): make test FRESH=1 runs everything
# GOTESTFLAGS and PYTESTFLAGS pass options through, e.g. for make bench.
# A package's tests may take longer than go test's default 10 minutes on
# a busy machine (the end-to-end runs start Spark); none waits on a clock.
# The end-to-end tests read the local run's assembly, brought up to date
# first, instead of synthesizing their own (internal/testassembly).
# The rehearsal runs beside the Go tests, which leave a core idle while
# the stacks' tests run one at a time; its output, kept in
# $(REHEARSE_LOG), follows the other levels'. It is waited for whatever
# they do, and the first failure decides the exit status.
REHEARSE_LOG := $(TOOLS)/rehearse.log
test: export LOCAL_TEST_ASSEMBLY := $(CURDIR)/$(LOCAL_ASSEMBLY)
test: tools lint $(CHECKOV_STAMP) $(JARS_STAMP) $(RULER_STAMP) local-assembly $(MINISTACK_STAMP) $(BASELINE_STAMP)
	@$(MAKE) --no-print-directory rehearse > $(REHEARSE_LOG) 2>&1 & rehearsal=$$!; \
	trap 'kill $$rehearsal 2>/dev/null' INT TERM; \
	echo "make rehearse: running beside the tests; its output follows theirs"; \
	( $(call in_modules,go test -timeout 20m $(if $(FRESH),-count=1) $(GOTESTFLAGS) ./...) ) && \
	echo "cd glue_scripts && python run_tests.py $(if $(FRESH),--fresh) $(PYTESTFLAGS)" && \
	(cd glue_scripts && ../$(VENV)/bin/python run_tests.py $(if $(FRESH),--fresh) $(PYTESTFLAGS)); \
	status=$$?; \
	wait $$rehearsal; rehearsed=$$?; \
	cat $(REHEARSE_LOG); \
	[ $$rehearsed = 0 ] || echo "make rehearse failed (its output: above, and $(REHEARSE_LOG))"; \
	[ $$status = 0 ] && [ $$rehearsed = 0 ]

## bench: performance figures (warm synth, make local and make test times,
## with the synth's breakdown and the slowest tests, beside their
## targets; CI on a clean clone, quiet and with every core busy, unless
## BENCH_CI=0, as it takes about an hour; ingest
## snapshot time, peak heap of a 64 MiB feed, Lambda binary size, state
## transitions per run and per schedule, ten systems' concurrent ingest,
## Glue jobs with 1 versus 30 days of history, a 7-day backfill versus 7
## single days, a day on the Iceberg tables beside the last Parquet release)
bench: tools $(PY_STAMP) $(JARS_STAMP)
	@bash bench/inner-loop.sh
	go test -run '^$$' -bench . -benchmem ./lambda/...
	go test -run '^$$' -bench Transitions -benchtime 1x ./stacks/
	go test -run '^$$' -bench IngestTenSystems -benchtime 3x -v ./stacks/ | grep -E 'Benchmark|target'
	$(VENV)/bin/python glue_scripts/bench.py
	@start=$$(date +%s); $(MAKE) --no-print-directory rehearse > /dev/null && \
	echo "make rehearse: $$(( $$(date +%s) - start )) s (no target of its own: it is part of make test)"
	@if [ "$(BENCH_CI)" != 0 ]; then bash bench/ci.sh && bash bench/ci.sh --busy; fi

## rehearse: deploy to MiniStack, a local AWS emulator (installed under
## .tools/ministack, bound to loopback, fake credentials, no internet),
## through make bootstrap and make deploy; check every resource, run
## executions, rehearse the upgrade from the release BASELINE names
## (docs/rehearsal.md); reports its last pass instead when no file of the
## working tree changed since (FRESH=1 rehearses regardless)
rehearse: tools $(MINISTACK_STAMP) $(BASELINE_STAMP)
	@go build -o $(TOOLS)/bin/rehearse ./cmd/rehearse
	@$(TOOLS)/bin/rehearse $(if $(FRESH),-fresh)

# The rehearsal synthesizes the release in BASELINE with no network, so
# its Go modules (which may differ from the tree's) are downloaded here,
# once per release, like make tools does for the tree's.
$(BASELINE_STAMP): BASELINE
	@git cat-file -e '$(BASELINE_COMMIT)^{commit}' 2>/dev/null || { echo "BASELINE names commit $(BASELINE_COMMIT), which this clone does not have (a shallow clone? git fetch --unshallow)"; exit 1; }
	@echo "Downloading the Go modules of the release in BASELINE ..."
	@rm -rf $(TOOLS)/baseline/src && mkdir -p $(TOOLS)/baseline/src
	@git archive $(BASELINE_COMMIT) | tar -x -C $(TOOLS)/baseline/src
	@cd $(TOOLS)/baseline/src && go mod download
	@rm -rf $(TOOLS)/baseline/src
	@touch $@

$(MINISTACK_STAMP): internal/rehearse/requirements.txt
	@echo "Creating MiniStack's environment in $(MINISTACK_VENV)/ ..."
	@$(PYTHON) -m venv $(MINISTACK_VENV)
	@$(MINISTACK_VENV)/bin/pip install --quiet --disable-pip-version-check -r internal/rehearse/requirements.txt
	@touch $@

## partialrun: build the partial-run CLI into bin/partialrun
partialrun:
	go build -o bin/partialrun ./cmd/partialrun

## bootstrap / deploy / diff / destroy: the CDK commands against your AWS
## account, with the project's CDK CLI and Node; CDK_ARGS passes options:
## its context (-c key=value) shapes the template, all of it reaches the
## command, e.g. make deploy CDK_ARGS='-c notificationEmail=ops@example.org
## --require-approval never'.
## deploy and diff synthesize once, validate that template with AWS (one
## line and a stop without credentials, or on any error), then deploy or
## compare exactly that template. make deploy ASSEMBLY=<dir> (and make diff)
## takes an assembly synthesized before, as it is.
bootstrap: tools
	cdk bootstrap $(CDK_ARGS)

# deploy and diff synthesize with CDK_ARGS' context options only (an option
# such as --require-approval belongs to the command, and cdk synth refuses it).
SYNTH_CONTEXT = @$(CDK_OFFLINE) bash scripts/synth.sh $(STACK) --quiet $(CDK_FLAGS) -- $(CDK_ARGS)

# ASSEMBLY=<dir> deploys (or compares) that cloud assembly as it is,
# without a synth (the emulator rehearsal deploys its own); CDK_ARGS'
# context then has nothing to shape, so it is refused.
# Without credentials, one line and a stop before the synth.
deploy diff: tools
	$(if $(ASSEMBLY),$(if $(filter -c% --context --context=%,$(CDK_ARGS)),$(error ASSEMBLY is deployed as it was synthesized: give context (-c) when synthesizing it, not to make $@)))
	@go build -o $(TOOLS)/bin/validate ./cmd/validate
	@$(TOOLS)/bin/validate -credentials-only
	$(if $(ASSEMBLY),,$(SYNTH_CONTEXT))
	@$(TOOLS)/bin/validate -template $(or $(ASSEMBLY),cdk.out)/$(STACK).template.json -require-credentials
	cdk $@ --app $(or $(ASSEMBLY),cdk.out) $(STACK) $(CDK_ARGS)

destroy: tools
	cdk destroy $(STACK) $(CDK_ARGS)

## fmt: format the Go and Python code
fmt: $(PY_STAMP)
	gofmt -w $$(git ls-files '*.go')
	cd glue_scripts && ../$(VENV)/bin/ruff format . && ../$(VENV)/bin/ruff check --fix .

## lint: gofmt, go vet, go mod tidy, ruff
lint: $(PY_STAMP)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted (run make fmt)"; exit 1; fi
	@$(call in_modules,go vet ./... && go mod tidy -diff)
	cd glue_scripts && ../$(VENV)/bin/ruff check . && ../$(VENV)/bin/ruff format --check .

## snapshot: refresh the golden files in testdata/ after an intended change
snapshot: tools $(PY_STAMP)
	@$(call in_modules,UPDATE_SNAPSHOTS=1 go test ./...)

## tools: install the pinned Go modules and, under .tools/, Node 22 and the
## CDK CLI (synth and test do it first)
tools: $(STAMP)
	@$(call in_modules,go mod download)

$(STAMP): package.json package-lock.json
	@mkdir -p $(TOOLS)
	@cp package.json package-lock.json $(TOOLS)/
	@echo "Installing Node 22, the CDK CLI and jsonata into $(TOOLS)/ ..."
	@cd $(TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(PY_STAMP): glue_scripts/requirements-dev.txt glue_scripts/constraints.txt
	@echo "Creating the Python environment for the tests in $(VENV)/ ..."
	@$(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r glue_scripts/requirements-dev.txt -c glue_scripts/constraints.txt
	@touch $@

# The local Spark's JVM libraries (Iceberg's runtime), pinned in
# glue_scripts/jars/pom.xml, from Maven Central with checksums checked.
$(JARS_STAMP): glue_scripts/jars/pom.xml
	@echo "Installing the local Spark's JVM libraries into $(TOOLS)/jars/ ..."
	@rm -rf $(TOOLS)/jars
	@mvn -q -B -C -f glue_scripts/jars/pom.xml -Dmaven.repo.local=$(CURDIR)/$(TOOLS)/m2 \
		dependency:copy-dependencies -DoutputDirectory=$(CURDIR)/$(TOOLS)/jars -DexcludeTransitive=true
	@touch $@

# aws/event-ruler, which the tests match the rules' patterns with, pinned
# in internal/ruler/pom.xml, from Maven Central with checksums checked.
$(RULER_STAMP): internal/ruler/pom.xml
	@echo "Installing aws/event-ruler into $(TOOLS)/ruler/ ..."
	@rm -rf $(TOOLS)/ruler
	@mvn -q -B -C -f internal/ruler/pom.xml -Dmaven.repo.local=$(CURDIR)/$(TOOLS)/m2 \
		dependency:copy-dependencies -DoutputDirectory=$(CURDIR)/$(TOOLS)/ruler -DexcludeTransitive=true
	@touch $@

$(CHECKOV_STAMP): security/requirements.txt security/constraints.txt
	@echo "Creating checkov's environment in $(CHECKOV_VENV)/ ..."
	@$(PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r security/requirements.txt -c security/constraints.txt
	@touch $@

## clean: remove cdk.out/ and .tools/ (the next command reinstalls)
clean:
	rm -rf cdk.out $(TOOLS)
