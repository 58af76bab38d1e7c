// Command imaptest runs Dovecot-style scripted IMAP compliance tests or a
// concurrent stress run against an IMAP server.
//
//	imaptest test=DIR host=127.0.0.1 port=143 user=testuser pass=testpass [user2=...] [box=...] [TESTFILE]
//	imaptest host=127.0.0.1 port=143 user=user%d pass=pass users=1-500 mbox=FILE clients=50 secs=20
//
// The exit status is 0 when every test passed (script mode) or no error
// was seen (stress mode), 1 otherwise, 2 for bad arguments.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/dbmail-go/dbmail/imaptest"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

const usage = `usage:
  imaptest test=DIR host=H port=P user=U pass=P [user2=U2 pass2=P2] [box=B] [timeout=S] [TESTFILE]
  imaptest host=H port=P user=user%d pass=P users=A-B mbox=FILE clients=N secs=S
           [checkpoint=N] [delay=MS] [rampup=S] [box=B] [seed=N] [rawlog=DIR] [timeout=S]
           [-] [login=W list=W status=W select=W fetch=W fetch2=W store=W delete=W
                expunge=W append=W noop=W idle=W logout=W]
`

func run(args []string) int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if len(args) == 0 {
		io.WriteString(os.Stderr, usage)
		return 2
	}
	cfg, err := imaptest.ParseConfig(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "imaptest: %v\n%s", err, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if cfg.ScriptMode() {
		path := cfg.TestPath
		if cfg.TestFile != "" {
			path = cfg.TestFile
			if cfg.TestPath != "" && !filepath.IsAbs(path) {
				if _, err := os.Stat(path); err != nil {
					path = filepath.Join(cfg.TestPath, path)
				}
			}
		}
		tests, err := imaptest.LoadTests(path, os.LookupEnv)
		if err != nil {
			logger.Error("loading tests", "err", err)
			return 2
		}
		sum := imaptest.RunScripts(ctx, imaptest.ScriptConfig{
			Addr: cfg.Addr(), User: cfg.User, Pass: cfg.Pass, User2: cfg.User2, Pass2: cfg.Pass2,
			Host: cfg.Host, Mailbox: cfg.Box, Timeout: cfg.Timeout, Out: os.Stdout,
		}, tests)
		if sum.Failed > 0 {
			return 1
		}
		return 0
	}

	rep, err := imaptest.RunStress(ctx, cfg, os.Stdout, logger)
	if err != nil {
		logger.Error("stress run", "err", err)
		return 2
	}
	if rep.ErrorCount() > 0 {
		return 1
	}
	return 0
}
