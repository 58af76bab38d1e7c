// Package app is the start-up every dbmail-go binary shares: read
// dbmail.conf (-f), set up logging from it, open the database named by
// dburi and bring its schema to the level this build needs (spec 1.2, 5, 6.1).
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/dbmail-go/dbmail/config"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server/logging"
)

// DefaultConfig is the configuration file used when -f is not given.
const DefaultConfig = "/etc/dbmail.conf"

// Version is the dbmail-go release printed by -V.
const Version = "0.1.0"

// Banner is the version line the tools print for -V.
func Banner(program string) string {
	return fmt.Sprintf("This is %s version %s (dbmail-go, DBMail 3.5 compatible, schema level 35002)", program, Version)
}

// App is a started program: its configuration, logger and database.
type App struct {
	Program string
	Config  *config.Config
	Log     *slog.Logger
	Output  *logging.Output
	DB      *db.DB
}

// Options tune Start.
type Options struct {
	// Section is the configuration section whose logging settings apply
	// (IMAP, LMTP…, or a tool's pseudo-section USERS, UTIL, DELIVERY,
	// EXPORT, SIEVECMD: spec 7.0).
	Section string
	// Ident is the syslog ident, e.g. dbmail/users.
	Ident string
	// Verbose forces logging of errors and above to stderr, whatever the
	// configuration says.
	Verbose bool
	// NoDB skips opening the database.
	NoDB bool
	// MaxConns overrides max_db_connections (0 keeps the configured value).
	MaxConns int
	// ExtraConns are database connections beyond max_db_connections, for
	// work outside the worker pool (group commit, notification listener).
	ExtraConns int
}

// Start loads the configuration, sets up logging and opens the database.
func Start(ctx context.Context, program, configPath string, opt Options) (*App, error) {
	if configPath == "" {
		configPath = DefaultConfig
	}
	cfg, err := config.Load(configPath)
	if err != nil {
		return nil, err
	}
	a := &App{Program: program, Config: cfg}
	lg, err := cfg.Logging(opt.Section)
	if err != nil {
		return nil, err
	}
	lc := logging.Config{
		Program:    program,
		Ident:      opt.Ident,
		File:       lg.Logfile,
		FileMask:   logging.Mask(lg.FileLoggingLevels),
		SyslogMask: logging.Mask(lg.SyslogLoggingLevels),
	}
	out, err := logging.Open(lc)
	if err != nil {
		// A tool run by an unprivileged user may not be able to open the
		// daemons' log file: log to stderr rather than refusing to work.
		lc.File = "stderr"
		out, err = logging.Open(lc)
		if err != nil {
			return nil, err
		}
	}
	a.Output = out
	h := out.Handler()
	if opt.Verbose {
		h = teeHandler{h, slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})}
	}
	a.Log = slog.New(h)
	for _, w := range cfg.Warnings {
		a.Log.Warn("configuration: " + w)
	}
	if opt.NoDB {
		return a, nil
	}
	conns := cfg.DBMail.MaxDBConnections
	if s := cfg.Service(opt.Section); s != nil && s.MaxDBConnections > 0 {
		conns = s.MaxDBConnections
	}
	if opt.MaxConns > 0 {
		conns = opt.MaxConns
	}
	a.DB, err = OpenDB(ctx, cfg, program, conns+opt.ExtraConns)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// OpenDB connects to the configured database, creates or upgrades its
// schema as DBMail does at every start (spec 1.2) and applies the storage
// settings of [DBMAIL].
func OpenDB(ctx context.Context, cfg *config.Config, program string, maxConns int) (*db.DB, error) {
	if cfg.DBMail.DBURI == "" {
		return nil, fmt.Errorf("%s: no database configured: set dburi in [DBMAIL]", cfg.Path)
	}
	t, err := db.ParseURI(cfg.DBMail.DBURI, program)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, t, cfg.DBMail.TablePrefix, maxConns)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	d.Store = db.StoreOptions{
		HashAlgorithm:       cfg.DBMail.HashAlgorithm,
		MessagePartHash:     cfg.DBMail.MessagePartHash,
		HeaderCacheReadonly: cfg.DBMail.HeaderCacheReadonly,
	}
	return d, nil
}

// Close releases the database and log files.
func (a *App) Close() {
	if a.DB != nil {
		a.DB.Close()
	}
	if a.Output != nil {
		a.Output.Close()
	}
}

// teeHandler sends every record to two handlers.
type teeHandler struct{ a, b slog.Handler }

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return t.a.Enabled(ctx, l) || t.b.Enabled(ctx, l)
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if t.a.Enabled(ctx, r.Level) {
		err = t.a.Handle(ctx, r.Clone())
	}
	if t.b.Enabled(ctx, r.Level) {
		if e := t.b.Handle(ctx, r.Clone()); err == nil {
			err = e
		}
	}
	return err
}

func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return teeHandler{t.a.WithAttrs(as), t.b.WithAttrs(as)}
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	return teeHandler{t.a.WithGroup(name), t.b.WithGroup(name)}
}
