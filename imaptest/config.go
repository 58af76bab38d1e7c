package imaptest

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Config is the command line: Dovecot imaptest's key=value arguments.
//
//	imaptest test=DIR host=H port=P user=U pass=P [user2=U2] [box=B] [TESTFILE]
//	imaptest host=H port=P user=user%d pass=P users=1-500 mbox=FILE clients=N secs=S
//	         [checkpoint=N] [delay=MS] [rampup=S] [- ] [login=W list=W ... logout=0]
type Config struct {
	Host    string
	Port    int
	User    string // may contain %d for stress mode
	Pass    string
	User2   string
	Pass2   string
	Box     string
	BoxSet  bool // box= given (stress mode uses INBOX otherwise)
	Timeout time.Duration

	// Script mode.
	TestPath string // test= directory or file
	TestFile string // a single test named on the command line

	// Stress mode.
	UsersFrom, UsersTo int // users=A-B
	Mbox               string
	Clients            int
	Secs               int
	Checkpoint         int // seconds between checkpoints (0: none)
	DelayMS            int
	Weights            Weights
	Seed               int64
	RawLog             string // directory for per-client protocol logs
	RampUp             int    // seconds over which clients start (0: all at once)
}

// Addr is host:port.
func (c *Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ScriptMode reports whether the arguments ask for script mode.
func (c *Config) ScriptMode() bool { return c.TestPath != "" || c.TestFile != "" }

// ParseConfig parses the key=value arguments.
func ParseConfig(args []string) (*Config, error) {
	c := &Config{
		Host: "127.0.0.1", Port: 143, Box: "imaptest", Timeout: 30 * time.Second,
		UsersFrom: 1, UsersTo: 1, Clients: 10, Secs: 0, Weights: DefaultWeights(),
	}
	for _, a := range args {
		if a == "-" {
			c.Weights = Weights{}
			continue
		}
		key, val, ok := strings.Cut(a, "=")
		if !ok {
			if c.TestFile != "" {
				return nil, fmt.Errorf("unexpected argument %q", a)
			}
			c.TestFile = a
			continue
		}
		key = strings.ToLower(key)
		if cmd, isWeight := weightKey(key); isWeight {
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > 100 {
				return nil, fmt.Errorf("%s: weight must be 0-100, got %q", key, val)
			}
			c.Weights[cmd] = n
			continue
		}
		var err error
		switch key {
		case "host":
			c.Host = val
		case "port":
			c.Port, err = atoiRange(val, 1, 65535)
		case "user":
			c.User = val
		case "pass":
			c.Pass = val
		case "user2":
			c.User2 = val
		case "pass2":
			c.Pass2 = val
		case "box", "mailbox":
			c.Box, c.BoxSet = val, true
		case "timeout":
			var s int
			s, err = atoiRange(val, 1, 3600)
			c.Timeout = time.Duration(s) * time.Second
		case "test":
			c.TestPath = val
		case "users":
			from, to, found := strings.Cut(val, "-")
			if c.UsersFrom, err = atoiRange(from, 0, 1<<30); err == nil {
				c.UsersTo = c.UsersFrom
				if found {
					c.UsersTo, err = atoiRange(to, c.UsersFrom, 1<<30)
				}
			}
		case "mbox":
			c.Mbox = val
		case "clients":
			c.Clients, err = atoiRange(val, 1, 100000)
		case "secs":
			c.Secs, err = atoiRange(val, 0, 1<<30)
		case "checkpoint":
			c.Checkpoint, err = atoiRange(val, 0, 1<<30)
		case "delay":
			c.DelayMS, err = atoiRange(val, 0, 1<<30)
		case "rampup":
			c.RampUp, err = atoiRange(val, 0, 1<<20)
		case "rawlog":
			c.RawLog = val
		case "seed":
			c.Seed, err = strconv.ParseInt(val, 10, 64)
		default:
			return nil, fmt.Errorf("unknown setting %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	if c.User == "" {
		return nil, fmt.Errorf("user= is required")
	}
	return c, nil
}

func atoiRange(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d out of range %d-%d", n, lo, hi)
	}
	return n, nil
}
