// Package daemon is the main() every dbmail-go daemon shares (spec 6.1,
// 8.1): the common options (-f -p -n -D -v -V -h), dbmail.conf, logging, the
// database, the SQL worker pool, and server.Run with SIGHUP reload.
package daemon

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dbmail-go/dbmail/cache"
	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/cmd/internal/getopt"
	"github.com/dbmail-go/dbmail/config"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/notify"
	"github.com/dbmail-go/dbmail/server"
	"github.com/dbmail-go/dbmail/server/logging"
)

// Spec describes one daemon.
type Spec struct {
	Program     string // dbmail-lmtpd
	Section     string // LMTP
	Ident       string // syslog ident: dbmail/lmtpd
	DefaultPort int    // used when neither port nor tls_port nor socket is set; 0 = none
	// Protocol builds the daemon's protocol from the started program. It is
	// called once at start; reload applies only server settings.
	Protocol func(a *App) (server.Protocol, error)
}

// App is a running daemon's shared state.
type App struct {
	*app.App
	Service *config.Service
	Pool    *server.Pool
	Cache   cache.Cache
	// Relay tells the other daemons which mailboxes changed, and hears
	// them (notify: local datagram sockets, PostgreSQL LISTEN/NOTIFY).
	Relay *notify.Relay
}

const usageFmt = `Usage: %s [options]

  -f, --config FILE   configuration file (default /etc/dbmail.conf)
  -p, --pidfile FILE  pid file (default <pid_directory>/%s.pid)
  -n, --inetd         serve one session on stdin/stdout (not supported: listen with -D instead)
  -D, --no-daemon     stay in the foreground (as systemd's Type=notify units run it)
  -v, --verbose       log to standard error too
  -V, --version       print the version and exit
  -h, --help          this help
`

// Main runs the daemon and returns the process exit code.
func Main(spec Spec, argv []string, stdout, stderr io.Writer) int {
	p := &getopt.Parser{Options: []getopt.Option{
		{Short: 'f', Long: "config", Arg: getopt.RequiredArgument},
		{Short: 'p', Long: "pidfile", Arg: getopt.RequiredArgument},
		{Short: 'n', Long: "inetd"},
		{Short: 'D', Long: "no-daemon"},
		{Short: 'v', Long: "verbose"},
		{Short: 'V', Long: "version"},
		{Short: 'h', Long: "help"},
	}}
	res, err := p.Parse(argv)
	if err != nil || len(res.Args) > 0 {
		if err == nil {
			err = fmt.Errorf("unexpected argument %q", res.Args[0])
		}
		fmt.Fprintf(stderr, "%s: %v\n", spec.Program, err)
		fmt.Fprintf(stderr, usageFmt, spec.Program, spec.Program)
		return 1
	}
	var cfgPath, pidFile string
	verbose := false
	for _, o := range res.Options {
		switch o.Opt.Short {
		case 'f':
			cfgPath = o.Arg
		case 'p':
			pidFile = o.Arg
		case 'n':
			fmt.Fprintf(stderr, "%s: inetd mode is not supported; run with -D on the configured listeners\n", spec.Program)
			return 1
		case 'D':
			// dbmail-go daemons always stay in the foreground: systemd,
			// runit and docker supervise them; -D is accepted for
			// compatibility with DBMail's units.
		case 'v':
			verbose = true
		case 'V':
			fmt.Fprintln(stdout, app.Banner(spec.Program))
			return 0
		case 'h':
			fmt.Fprintf(stdout, usageFmt, spec.Program, spec.Program)
			return 0
		}
	}
	if err := Run(context.Background(), spec, cfgPath, pidFile, verbose); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", spec.Program, err)
		return 75 // EX_TEMPFAIL, as DBMail's fatal errors
	}
	return 0
}

// Run starts the daemon and serves until a stop signal.
func Run(ctx context.Context, spec Spec, cfgPath, pidFile string, verbose bool) error {
	// Two connections beyond the pool's workers, for work outside a job
	// (start-up checks, the state dump's statistics).
	a, err := app.Start(ctx, spec.Program, cfgPath, app.Options{Section: spec.Section, Ident: spec.Ident, Verbose: verbose, ExtraConns: 2})
	if err != nil {
		return err
	}
	defer a.Close()
	svc := a.Config.Service(spec.Section)
	if svc == nil {
		return fmt.Errorf("no service section %s", spec.Section)
	}
	cfg := ServerConfig(a.Config, spec, pidFile)
	if err := cfg.Validate(); err != nil {
		return err
	}
	c, err := cache.New(cache.Config{Backend: a.Config.DBMail.QueryCache, MaxBytes: a.Config.DBMail.QueryCacheSize, Servers: a.Config.DBMail.MemcachedServers})
	if err != nil {
		return err
	}
	pool := server.NewPoolWithLogger(a.DB.SQL, cfg.MaxDBConnections, cfg.QueueDepth, a.Log)
	defer pool.Close()
	ncfg := notify.Config{
		Dir:       cfg.PidDirectory,
		Program:   spec.Program,
		Namespace: notify.NamespaceOf(a.Config.DBMail.DBURI, a.Config.DBMail.TablePrefix),
		Log:       a.Log,
	}
	if a.DB.Dialect == db.Postgres {
		ncfg.PostgresDSN = a.DB.Target.DSN
	}
	relay, err := notify.New(ncfg)
	if err != nil {
		return err
	}
	defer relay.Close()
	d := &App{App: a, Service: svc, Pool: pool, Cache: c, Relay: relay}
	proto, err := spec.Protocol(d)
	if err != nil {
		return err
	}
	return server.Run(ctx, cfg, proto, server.Options{
		Logger: a.Log,
		Log:    a.Output,
		Pool:   pool,
		DB:     a.DB.SQL,
		Cache: func() server.CacheStats {
			s := c.Stats()
			return server.CacheStats{Backend: s.Backend, Items: uint64(max(s.Items, 0)), Bytes: uint64(max(s.Bytes, 0)), Hits: s.Hits, Misses: s.Misses, Evictions: s.Evictions}
		},
		Reload: func() (server.Config, error) {
			nc, err := config.Load(a.Config.Path)
			if err != nil {
				return server.Config{}, err
			}
			return ServerConfig(nc, spec, pidFile), nil
		},
	})
}

// ServerConfig maps a service section of dbmail.conf onto the server core's
// settings (spec 5.3).
func ServerConfig(c *config.Config, spec Spec, pidFile string) server.Config {
	svc := c.Service(spec.Section)
	port := svc.Port
	if port == 0 && svc.TLSPort == 0 && svc.Socket == "" {
		port = spec.DefaultPort
	}
	cfg := server.Defaults(spec.Program, port)
	cfg.BindIP = svc.BindIP
	cfg.TLSPort = svc.TLSPort
	cfg.Socket = svc.Socket
	cfg.Backlog = svc.Backlog
	cfg.ReusePort = svc.ReusePort
	cfg.TLS = server.TLSFiles{CAFile: svc.TLSCAFile, CertFile: svc.TLSCert, KeyFile: svc.TLSKey, Ciphers: svc.TLSCiphers}
	cfg.LoginTimeout = svc.LoginTimeout
	cfg.Timeout = svc.Timeout
	cfg.MaxDBConnections = c.DBMail.MaxDBConnections
	if svc.MaxDBConnections > 0 {
		cfg.MaxDBConnections = svc.MaxDBConnections
	}
	cfg.PidDirectory = svc.PidDirectory
	cfg.PidFile = pidFile
	cfg.StateSocket = svc.StateSocket
	cfg.EffectiveUser, cfg.EffectiveGroup = svc.EffectiveUser, svc.EffectiveGroup
	cfg.Limits.MaxLineLength = svc.MaxLineLength
	cfg.Limits.MaxPipeline = svc.PipelineDepth
	cfg.Limits.MaxConnections = svc.MaxConnections
	cfg.Limits.MaxPerIP = svc.MaxConnectionsPerIP
	cfg.Limits.MaxLoginFailures = svc.MaxLoginFailures
	cfg.Limits.LoginFailDelay = svc.LoginFailureDelay
	if cfg.Limits.LoginFailWindow == 0 {
		cfg.Limits.LoginFailWindow = 5 * time.Minute
	}
	cfg.Log = logging.Config{
		Program:    spec.Program,
		Ident:      spec.Ident,
		File:       svc.Logfile,
		FileMask:   logging.Mask(svc.FileLoggingLevels),
		SyslogMask: logging.Mask(svc.SyslogLoggingLevels),
	}
	return cfg
}
