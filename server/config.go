// Package server is the daemon core shared by the protocol daemons
// (dbmail-imapd, -pop3d, -lmtpd, -sieved): listeners, the per-connection
// read loop feeding a protocol's push parser, limits and timeouts, the
// bounded SQL worker pool, the Unix-socket state dump, signals and the
// process life around them. See README.md for the goroutine model and the
// state dump format.
package server

import (
	"fmt"
	"time"

	"github.com/dbmail-go/dbmail/server/logging"
)

// Config is everything the daemon core needs from dbmail.conf. A daemon's
// main fills it from the service section with [DBMAIL] fallback (spec 5.1,
// 5.3); Defaults gives DBMail's values for unset keys.
type Config struct {
	Program string // process name: dbmail-imapd (pid file, state socket, log lines)

	// Listeners (spec 5.3).
	BindIP    []string // addresses; "*" is 0.0.0.0; IPv6 literals allowed
	Port      int      // plain listener (STARTTLS where the protocol has it); 0 = none
	TLSPort   int      // implicit TLS listener; 0 = none
	Socket    string   // Unix socket path; "" = none
	Backlog   int      // listen(2) backlog, > 0
	ReusePort bool     // SO_REUSEPORT

	TLS TLSFiles // tls_cafile, tls_cert, tls_key, tls_ciphers

	// Timeouts (spec 5.3) and the write timeout that defines a slow consumer.
	LoginTimeout  time.Duration // idle time allowed before authentication
	Timeout       time.Duration // idle time allowed after authentication
	WriteTimeout  time.Duration // a flush blocked this long closes the client (slow consumer)
	ShutdownGrace time.Duration // how long SIGTERM waits for running commands

	Limits Limits

	// SQL worker pool (spec 5.2 max_db_connections, 8.2).
	MaxDBConnections int // workers, each owning one database connection
	QueueDepth       int // jobs waiting beyond the busy workers before ErrBusy

	// Process.
	PidDirectory   string // pid_directory
	PidFile        string // -p; default <PidDirectory>/<Program>.pid
	StateSocket    string // state_socket; default <PidDirectory>/<Program>.state
	EffectiveUser  string // privileges dropped to after binding (spec 6.1)
	EffectiveGroup string

	Log   logging.Config     // logfile, file/syslog levels (spec 5.8)
	Trace logging.TraceFlags // protocol tracing
}

// Limits bounds what one client and all clients together may use.
type Limits struct {
	MaxLineLength    int // longest command line the parser accepts (spec 0.1: 65536)
	MaxPipeline      int // commands parsed ahead of their responses
	MaxConnections   int // connections in total; 0 = unlimited
	MaxPerIP         int // connections from one client address; 0 = unlimited
	MaxOutbound      int // bytes buffered for a client before a forced flush
	MaxLoginFailures int // failures from one address within LoginFailWindow before lockout; 0 = no lockout
	LoginFailWindow  time.Duration
	LoginFailDelay   time.Duration // delay before answering a failed login, grows per failure
}

// TLSFiles names the PEM files and cipher list of spec 5.3. TLS is enabled
// only when certificate and key are both set; the CA file is optional here
// (DBMail demanded it; a chain in tls_cert serves the same purpose).
type TLSFiles struct {
	CAFile   string
	CertFile string
	KeyFile  string
	Ciphers  string // OpenSSL-style list (colon separated names); "" = Go defaults
}

// Enabled reports whether TLS material is configured.
func (t TLSFiles) Enabled() bool { return t.CertFile != "" && t.KeyFile != "" }

// Defaults returns DBMail's defaults for unset keys (spec 5.2, 5.3, 0.1)
// for program (e.g. dbmail-imapd) with default plain port.
func Defaults(program string, port int) Config {
	return Config{
		Program:          program,
		BindIP:           []string{"127.0.0.1"},
		Port:             port,
		Backlog:          128,
		LoginTimeout:     60 * time.Second,
		Timeout:          300 * time.Second,
		WriteTimeout:     60 * time.Second,
		ShutdownGrace:    10 * time.Second,
		MaxDBConnections: 10,
		QueueDepth:       1000,
		PidDirectory:     "/var/run/dbmail",
		Limits: Limits{
			MaxLineLength:    65536,
			MaxPipeline:      64,
			MaxOutbound:      64 << 10,
			MaxLoginFailures: 10,
			LoginFailWindow:  5 * time.Minute,
			LoginFailDelay:   time.Second,
		},
		Log: logging.Config{
			Program:    program,
			FileMask:   logging.DefaultFileMask,
			SyslogMask: logging.DefaultSyslogMask,
		},
	}
}

// Validate checks the values DBMail treats as fatal and the ones this core
// cannot work without; the error names the key.
func (c Config) Validate() error {
	switch {
	case c.Program == "":
		return fmt.Errorf("server config: program name is empty")
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("port %d: out of range", c.Port)
	case c.TLSPort < 0 || c.TLSPort > 65535:
		return fmt.Errorf("tls_port %d: out of range", c.TLSPort)
	case c.Port == 0 && c.TLSPort == 0 && c.Socket == "":
		return fmt.Errorf("no listener: set port, tls_port or socket")
	case c.Port != 0 || c.TLSPort != 0:
		if len(c.BindIP) == 0 {
			return fmt.Errorf("bindip: empty")
		}
	}
	switch {
	case c.TLSPort != 0 && !c.TLS.Enabled():
		return fmt.Errorf("tls_port %d: tls_cert and tls_key are not set", c.TLSPort)
	case c.Backlog <= 0:
		return fmt.Errorf("backlog %d: must be > 0", c.Backlog)
	case c.LoginTimeout <= 0:
		return fmt.Errorf("login_timeout %v: must be > 0", c.LoginTimeout)
	case c.Timeout <= 0:
		return fmt.Errorf("timeout %v: must be > 0", c.Timeout)
	case c.WriteTimeout <= 0:
		return fmt.Errorf("write timeout %v: must be > 0", c.WriteTimeout)
	case c.ShutdownGrace < 0:
		return fmt.Errorf("shutdown grace %v: must be >= 0", c.ShutdownGrace)
	case c.MaxDBConnections <= 0:
		return fmt.Errorf("max_db_connections %d: must be > 0", c.MaxDBConnections)
	case c.QueueDepth < 0:
		return fmt.Errorf("queue depth %d: must be >= 0", c.QueueDepth)
	}
	return c.Limits.validate()
}

func (l Limits) validate() error {
	switch {
	case l.MaxLineLength < 512:
		return fmt.Errorf("max line length %d: must be >= 512", l.MaxLineLength)
	case l.MaxPipeline <= 0:
		return fmt.Errorf("pipelining depth %d: must be > 0", l.MaxPipeline)
	case l.MaxConnections < 0:
		return fmt.Errorf("max connections %d: must be >= 0", l.MaxConnections)
	case l.MaxPerIP < 0:
		return fmt.Errorf("max connections per ip %d: must be >= 0", l.MaxPerIP)
	case l.MaxOutbound < 512:
		return fmt.Errorf("outbound budget %d: must be >= 512", l.MaxOutbound)
	case l.MaxLoginFailures < 0:
		return fmt.Errorf("max login failures %d: must be >= 0", l.MaxLoginFailures)
	case l.MaxLoginFailures > 0 && l.LoginFailWindow <= 0:
		return fmt.Errorf("login failure window %v: must be > 0", l.LoginFailWindow)
	case l.LoginFailDelay < 0:
		return fmt.Errorf("login failure delay %v: must be >= 0", l.LoginFailDelay)
	}
	return nil
}

// pidFile and stateSocket resolve the defaults of spec 8.1 and the task.
func (c Config) pidFile() string {
	if c.PidFile != "" {
		return c.PidFile
	}
	return c.PidDirectory + "/" + c.Program + ".pid"
}

func (c Config) stateSocket() string {
	if c.StateSocket != "" {
		return c.StateSocket
	}
	return c.PidDirectory + "/" + c.Program + ".state"
}
