# The two commands of the README: `make run` and `make test`. Each installs
# what it needs (Debian packages, Go modules), starts the private PostGIS
# cluster under .atlas/pg (unless DATABASE_URL is set) and goes on from there.

SHELL := /bin/bash
GO ?= go
BIN := bin/atlas
# Where the pinned geodata files are copied from instead of downloaded:
# GEODATA_MIRROR=DIR, else ATLAS_GEODATA_MIRROR, else a shared folder found
# beside this checkout or the one it was cloned from (deploy/geodata-mirror.sh).
GEODATA_MIRROR ?= $(or $(ATLAS_GEODATA_MIRROR),$(shell bash deploy/geodata-mirror.sh))
MIRROR_FLAG := $(if $(GEODATA_MIRROR),--mirror $(abspath $(GEODATA_MIRROR)),)
export ATLAS_GEODATA_MIRROR := $(if $(GEODATA_MIRROR),$(abspath $(GEODATA_MIRROR)),)
# `make run REGION=76`: the map opens on that région (atlas serve --region).
REGION ?=
export ATLAS_REGION := $(if $(REGION),$(REGION),$(ATLAS_REGION))

.PHONY: run test fuzz deps build db bench-tiles bench-choropleth clean

run: build
	@source deploy/env.sh && \
	./$(BIN) import demo $(MIRROR_FLAG) && \
	exec ./$(BIN) serve

test: deps
	@bash deploy/test.sh

# Every fuzz target for FUZZTIME each (default 3m), then a report.
fuzz:
	@bash deploy/deps.sh go
	@bash deploy/fuzz.sh

deps:
	@bash deploy/deps.sh

build:
	@bash deploy/deps.sh go web
	@bash deploy/web.sh
	$(GO) build -o $(BIN) ./cmd/atlas

bench-tiles: build
	@source deploy/env.sh && \
	./$(BIN) import demo $(MIRROR_FLAG) --levels region,departement,zone-emploi && \
	./$(BIN) bench tiles

bench-choropleth: build
	@source deploy/env.sh && \
	./$(BIN) import demo $(MIRROR_FLAG) && \
	./$(BIN) bench choropleth

clean:
	rm -rf bin
	bash deploy/pg/cluster.sh stop
