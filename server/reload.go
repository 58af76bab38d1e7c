package server

import (
	"errors"
	"fmt"
	"slices"
)

// Reload applies a new configuration without dropping connections (spec
// 8.1, fixed to act at once instead of at the next accept): log levels and
// files, TLS certificate and ciphers (new handshakes only), limits,
// timeouts (open connections re-arm their idle deadline now) and tracing.
// Listener settings (bindip, port, tls_port, socket, backlog, reuseport) and
// the worker pool size need a restart; changes to them are logged and
// ignored. On error nothing is changed.
func (s *Server) Reload(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	old := s.settings()
	if listenersDiffer(old, &cfg) {
		s.log.Warn("reload: listener settings changed; restart to apply them")
		cfg.BindIP, cfg.Port, cfg.TLSPort, cfg.Socket = old.BindIP, old.Port, old.TLSPort, old.Socket
		cfg.Backlog, cfg.ReusePort = old.Backlog, old.ReusePort
	}
	if cfg.MaxDBConnections != old.MaxDBConnections || cfg.QueueDepth != old.QueueDepth {
		s.log.Warn("reload: max_db_connections/queue depth changed; restart to apply them")
		cfg.MaxDBConnections, cfg.QueueDepth = old.MaxDBConnections, old.QueueDepth
	}
	if cfg.TLS.Enabled() != old.TLS.Enabled() && (old.TLSPort != 0) {
		return errors.New("reload: cannot disable TLS while tls_port is served")
	}
	if err := s.applyTLS(cfg.TLS); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	if s.opts.Log != nil {
		if err := s.opts.Log.Apply(cfg.Log); err != nil {
			return fmt.Errorf("reload: logging: %w", err)
		}
	}
	c := cfg
	s.cfg.Store(&c)
	for _, conn := range s.sessions() {
		conn.interrupt(flagNudge)
	}
	s.log.Info("configuration reloaded")
	return nil
}

// hangup is SIGHUP: re-read the config through the Reload hook (or keep the
// current one), reopen log files, reload certificates, apply.
func (s *Server) hangup() error {
	cfg := *s.settings()
	if s.opts.Reload != nil {
		c, err := s.opts.Reload()
		if err != nil {
			return fmt.Errorf("reload config: %w", err)
		}
		cfg = c
	}
	if s.opts.Log != nil {
		if err := s.opts.Log.Reopen(); err != nil {
			return fmt.Errorf("reopen log: %w", err)
		}
	}
	return s.Reload(cfg)
}

func listenersDiffer(a, b *Config) bool {
	return !slices.Equal(a.BindIP, b.BindIP) || a.Port != b.Port || a.TLSPort != b.TLSPort ||
		a.Socket != b.Socket || a.Backlog != b.Backlog || a.ReusePort != b.ReusePort
}
