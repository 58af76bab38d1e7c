# dbmail-go: the two commands that matter are `make run` and `make test`.
GO       ?= go
BIN      := bin
PKGS     := ./...
TESTTIME ?= 15m

.PHONY: all build test test-short run bench vet fmt clean imaptest

all: build

## build: every binary into bin/
build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

## test: vet, then every test; PostgreSQL/MariaDB/memcached suites run when
## DBMAIL_TEST_PG / DBMAIL_TEST_MYSQL / DBMAIL_TEST_MEMCACHED are set (.ci/run sets them)
test: build
	@echo "== backends under test: sqlite$${DBMAIL_TEST_PG:+ postgresql}$${DBMAIL_TEST_MYSQL:+ mariadb}$${DBMAIL_TEST_MEMCACHED:+ memcached}"
	@[ -n "$${DBMAIL_TEST_PG:-}" ] || echo "== SKIPPED: PostgreSQL suites (set DBMAIL_TEST_PG=postgresql://root@127.0.0.1:5432/test)"
	@[ -n "$${DBMAIL_TEST_MYSQL:-}" ] || echo "== SKIPPED: MariaDB suites (set DBMAIL_TEST_MYSQL=mysql://root@127.0.0.1:3306/test)"
	@[ -n "$${DBMAIL_TEST_MEMCACHED:-}" ] || echo "== SKIPPED: memcached suites (set DBMAIL_TEST_MEMCACHED=127.0.0.1:11211)"
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout $(TESTTIME) $(PKGS)
	$(MAKE) imaptest

## imaptest: against a freshly started dbmail-imapd on SQLite, and on
## PostgreSQL/MariaDB when configured: every shared imaptest script, then
## the 20-second, 50-client stress run with checkpoints every 5 s, which must
## report 0 errors (imaptest/ci.sh). IMAPTEST_STRESS_SECS sets its length
## (0 = scripts only), IMAPTEST_USERS its users (1-50; 1-1 puts all 50
## clients on one mailbox).
imaptest: build
	./scripts/imaptest-daemon.sh sqlite
	@if [ -n "$${DBMAIL_TEST_PG:-}" ]; then ./scripts/imaptest-daemon.sh postgresql; fi
	@if [ -n "$${DBMAIL_TEST_MYSQL:-}" ]; then ./scripts/imaptest-daemon.sh mysql; fi

## test-short: the quick subset (no corpus-wide runs)
test-short:
	$(GO) test -short -count=1 $(PKGS)

## run: all daemons on an embedded SQLite database under run/, with a demo user
run: build
	./scripts/run.sh

## bench: the store benchmark (set DBMAIL_TEST_PG/DBMAIL_TEST_MYSQL for those backends)
bench: build
	$(GO) run ./bench/store -corpus ../shared/corpus

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -l -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
