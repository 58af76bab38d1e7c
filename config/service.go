package config

import (
	"path/filepath"
	"strings"
	"time"
)

// Service holds the keys every daemon reads from its own section, falling
// back to [DBMAIL] (spec 5.3), plus dbmail-go's own per-service limits.
type Service struct {
	Name    string // section: IMAP, POP, LMTP, SIEVE or HTTP
	Program string // dbmail-imapd, dbmail-pop3d, dbmail-lmtpd, dbmail-sieved, dbmail-httpd

	BindIP       []string      // listen addresses; "*" becomes 0.0.0.0
	Port         int           // plain listener; 0 = none
	TLSPort      int           // implicit-TLS listener; 0 = none
	Socket       string        // additional UNIX socket path
	Backlog      int           // listen(2) backlog, default 128
	Timeout      time.Duration // idle limit after authentication, default 300 s
	LoginTimeout time.Duration // idle limit before authentication, default 60 s
	ResolveIP    bool          // reverse-resolve clients for the log
	BeforeSMTP   bool          // <SERVICE>_BEFORE_SMTP: log client IPs to dbmail_pbsp
	Authlog      bool          // record sessions in dbmail_authlog

	TLSCAFile  string
	TLSCert    string
	TLSKey     string
	TLSCiphers string
	ReusePort  bool

	MaxDBConnections int // pool size for this daemon
	PidDirectory     string
	Logging
	EffectiveUser  string // required by daemons; see Config.CheckDaemon
	EffectiveGroup string
	Banner         string // greeting text; "" means the daemon's built-in one

	// dbmail-go additions.
	StateSocket         string        // state dump socket, default <pid_directory>/<program>.state
	MaxLineLength       int           // longest command line, default 65536 (DBMail's MAX_LINESIZE)
	MaxConnections      int           // concurrent connections, default 10000
	MaxConnectionsPerIP int           // concurrent connections from one address, default 1000
	MaxLoginFailures    int           // failed logins per address before delaying, default 5
	LoginFailureDelay   time.Duration // delay per failed login past that, default 2 s
	PipelineDepth       int           // commands read ahead of the one running, default 64
	MaxLiteralSize      int64         // largest literal or DATA body, default 256 MiB
}

// Defaults of dbmail-go's own per-service keys.
const (
	DefaultMaxLineLength       = 65536
	DefaultMaxConnections      = 10000
	DefaultMaxConnectionsPerIP = 1000
	DefaultMaxLoginFailures    = 5
	DefaultLoginFailureDelay   = 2 * time.Second
	DefaultPipelineDepth       = 64
	DefaultMaxLiteralSize      = 256 << 20
)

// programFor maps a service section to its daemon's process name.
func programFor(section string) string {
	switch section {
	case SectionIMAP:
		return "dbmail-imapd"
	case SectionPOP:
		return "dbmail-pop3d"
	case SectionLMTP:
		return "dbmail-lmtpd"
	case SectionSieve:
		return "dbmail-sieved"
	case SectionHTTP:
		return "dbmail-httpd"
	}
	return ""
}

// defaultPort applies only when neither port nor tls_port is set (spec
// 5.3); LMTP has none.
func defaultPort(section string) int {
	switch section {
	case SectionIMAP:
		return 143
	case SectionPOP:
		return 110
	case SectionSieve:
		return 4090
	case SectionHTTP:
		return 41380
	}
	return 0
}

// TLSConfigured reports whether all three of tls_cafile, tls_cert and
// tls_key are set; DBMail enables TLS only then (spec 5.3).
func (s *Service) TLSConfigured() bool {
	return s.TLSCAFile != "" && s.TLSCert != "" && s.TLSKey != ""
}

// PidFile is <pid_directory>/<program>.pid (spec 8.1).
func (s *Service) PidFile() string {
	return filepath.Join(s.PidDirectory, s.Program+".pid")
}

func (r *reader) readService(name string) Service {
	s := Service{
		Name:             name,
		Program:          programFor(name),
		Backlog:          r.greater(name, "backlog", 128, 0),
		Timeout:          time.Duration(r.greater(name, "timeout", 300, 30)) * time.Second,
		LoginTimeout:     time.Duration(r.greater(name, "login_timeout", 60, 10)) * time.Second,
		Socket:           r.str(name, "socket", ""),
		ResolveIP:        r.yesNo(name, "resolve_ip", false, false),
		BeforeSMTP:       r.yesNo(name, asciiUpper(name)+"_BEFORE_SMTP", false, false),
		Authlog:          r.yesNo(name, "authlog", false, false),
		TLSCAFile:        r.str(name, "tls_cafile", ""),
		TLSCert:          r.str(name, "tls_cert", ""),
		TLSKey:           r.str(name, "tls_key", ""),
		TLSCiphers:       r.str(name, "tls_ciphers", ""),
		ReusePort:        r.yesNo(name, "reuseport", false, false),
		MaxDBConnections: r.greater(name, "max_db_connections", 10, 0),
		PidDirectory:     r.str(name, "pid_directory", DefaultPidDirectory),
		Logging:          r.readLogging(name),
		EffectiveUser:    r.str(name, "effective_user", ""),
		EffectiveGroup:   r.str(name, "effective_group", ""),
		Banner:           r.str(name, "banner", ""),

		MaxLineLength:       r.integer(name, "max_line_length", DefaultMaxLineLength, func(n int) bool { return n >= 1024 }, "at least 1024"),
		MaxConnections:      r.greater(name, "max_connections", DefaultMaxConnections, 0),
		MaxConnectionsPerIP: r.greater(name, "max_connections_per_ip", DefaultMaxConnectionsPerIP, 0),
		MaxLoginFailures:    r.greater(name, "max_login_failures", DefaultMaxLoginFailures, 0),
		LoginFailureDelay:   r.seconds(name, "login_failure_delay", int(DefaultLoginFailureDelay/time.Second)),
		PipelineDepth:       r.greater(name, "pipeline_depth", DefaultPipelineDepth, 0),
		MaxLiteralSize:      r.bytes(name, "max_literal_size", DefaultMaxLiteralSize),
	}
	s.Port = r.port(name, "port")
	s.TLSPort = r.port(name, "tls_port")
	if !r.get(name, "port").set() && !r.get(name, "tls_port").set() {
		s.Port = defaultPort(name)
	}
	s.BindIP = r.readBindIP(name)
	s.StateSocket = r.str(name, "state_socket", filepath.Join(s.PidDirectory, s.Program+".state"))
	return s
}

// readBindIP splits bindip on spaces and commas; an item starting with '*'
// becomes 0.0.0.0 (server_config_load). Default 127.0.0.1.
func (r *reader) readBindIP(name string) []string {
	st := r.get(name, "bindip")
	if !st.set() {
		return []string{"127.0.0.1"}
	}
	var out []string
	for _, ip := range splitList(st.text, " ,\t") {
		if strings.HasPrefix(ip, "*") {
			ip = "0.0.0.0"
		}
		out = append(out, ip)
	}
	return out
}
