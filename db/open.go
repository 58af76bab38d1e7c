package db

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Target is a parsed dburi (spec 5.2): which backend, and the DSN the Go
// driver for it understands.
type Target struct {
	Dialect Dialect
	Driver  string // database/sql driver name: pgx, mysql or sqlite
	DSN     string
	Path    string // SQLite file path
}

// ParseURI turns a libzdb-style dburi into a Target. program is appended to
// PostgreSQL URIs as application_name unless the URI names one already, as
// DBMail does.
func ParseURI(uri, program string) (Target, error) {
	u, err := url.Parse(strings.TrimSpace(uri))
	if err != nil {
		return Target{}, fmt.Errorf("dburi %q: %w", uri, err)
	}
	d, err := ParseDialect(u.Scheme)
	if err != nil {
		return Target{}, fmt.Errorf("dburi %q: %w", uri, err)
	}
	q := u.Query()
	switch d {
	case SQLite:
		path := u.Path
		if u.Host == "~" || strings.HasPrefix(u.Opaque, "~") {
			home, _ := os.UserHomeDir()
			path = filepath.Join(home, strings.TrimPrefix(u.Path, "/"))
		} else if u.Host != "" {
			// sqlite://relative/path
			path = u.Host + u.Path
		}
		if path == "" {
			return Target{}, fmt.Errorf("dburi %q: no database file path", uri)
		}
		// busy_timeout lets writers wait for the single SQLite write lock;
		// _txlock=immediate takes it at BEGIN so two writers never deadlock.
		dsn := "file:" + path + "?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		return Target{Dialect: SQLite, Driver: "sqlite", DSN: dsn, Path: path}, nil
	case Postgres:
		pq := url.Values{}
		for k, vs := range q {
			switch k {
			case "user":
				u.User = url.UserPassword(vs[0], passwordOf(u))
			case "password":
				name := ""
				if u.User != nil {
					name = u.User.Username()
				}
				u.User = url.UserPassword(name, vs[0])
			case "application-name":
				pq.Set("application_name", vs[0])
			case "connect-timeout":
				pq.Set("connect_timeout", vs[0])
			case "unix-socket":
				pq.Set("host", filepath.Dir(vs[0]))
			case "charset":
				// libzdb option without a PostgreSQL meaning.
			default:
				pq[k] = vs
			}
		}
		if pq.Get("application_name") == "" && program != "" {
			pq.Set("application_name", program)
		}
		// TLS to a server on the same host only costs CPU per round trip;
		// libzdb's URLs never asked for it. sslmode= in the URI wins.
		if pq.Get("sslmode") == "" && isLoopback(u.Hostname(), pq.Get("host")) {
			pq.Set("sslmode", "disable")
		}
		u.Scheme = "postgres"
		u.RawQuery = pq.Encode()
		return Target{Dialect: Postgres, Driver: "pgx", DSN: u.String()}, nil
	case MySQL:
		cfg := mysql.NewConfig()
		if u.User != nil {
			cfg.User = u.User.Username()
			cfg.Passwd, _ = u.User.Password()
		}
		cfg.DBName = strings.TrimPrefix(u.Path, "/")
		cfg.Net = "tcp"
		cfg.Addr = u.Host
		if u.Port() == "" && u.Host != "" {
			cfg.Addr = u.Host + ":3306"
		}
		cfg.ParseTime = false
		cfg.MultiStatements = true
		cfg.InterpolateParams = true // one round trip per statement instead of prepare+exec+close
		cfg.Params = map[string]string{}
		charset := "utf8mb4"
		for k, vs := range q {
			switch k {
			case "user":
				cfg.User = vs[0]
			case "password":
				cfg.Passwd = vs[0]
			case "unix-socket":
				cfg.Net = "unix"
				cfg.Addr = vs[0]
			case "charset":
				if strings.EqualFold(vs[0], "utf8") {
					charset = "utf8mb4"
				} else {
					charset = vs[0]
				}
			case "connect-timeout":
				if d, err := time.ParseDuration(vs[0] + "s"); err == nil {
					cfg.Timeout = d
				}
			}
		}
		cfg.Params["charset"] = charset
		return Target{Dialect: MySQL, Driver: "mysql", DSN: cfg.FormatDSN()}, nil
	}
	return Target{}, fmt.Errorf("dburi %q: unsupported", uri)
}

// isLoopback reports whether a PostgreSQL host is this machine: a loopback
// address, localhost, or a Unix socket directory.
func isLoopback(host, socketDir string) bool {
	if socketDir != "" || host == "" || strings.HasPrefix(host, "/") || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func passwordOf(u *url.URL) string {
	if u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// Open connects to the database named by t and checks that it answers. It
// does not create or upgrade the schema: see (*DB).Migrate.
func Open(ctx context.Context, t Target, prefix string, maxConns int) (*DB, error) {
	if t.Dialect == SQLite {
		if err := os.MkdirAll(filepath.Dir(t.Path), 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", t.Path, err)
		}
	}
	sdb, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", t.Dialect, err)
	}
	if maxConns <= 0 {
		maxConns = 10
	}
	sdb.SetMaxOpenConns(maxConns)
	sdb.SetMaxIdleConns(maxConns)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connect to %s database: %w", t.Dialect, err)
	}
	return &DB{SQL: sdb, Rewriter: &Rewriter{Dialect: t.Dialect, Prefix: prefix}, Target: t,
		Store:   StoreOptions{HashAlgorithm: "sha1", HeaderCacheReadonly: true},
		special: &specialIDs{}, names: &headerNames{}, group: &pgGroup{}}, nil
}

// DB is a handle on a DBMail database. It is safe for concurrent use.
type DB struct {
	SQL *sql.DB
	*Rewriter
	Target Target

	// Store shapes how messages are written (spec 2.4, 2.9); set it
	// from [DBMAIL] before the first delivery.
	Store StoreOptions

	// conn, when set, is the one connection this handle runs on (see On).
	conn *sql.Conn

	special *specialIDs
	names   *headerNames
	group   *pgGroup // PostgreSQL group commit (store_pggroup.go)
}

// Handle is what the data layer runs statements on: the pool, or one
// connection of it.
type Handle interface {
	Querier
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func (db *DB) h() Handle {
	if db.conn != nil {
		return db.conn
	}
	return db.SQL
}

// On returns a handle that runs every statement on conn: what a job of the
// daemons' worker pool uses, so the worker's own connection serves it
// (architecture: one connection per worker). The handle shares caches and
// settings with db and must not be used after the job returns.
func (db *DB) On(conn *sql.Conn) *DB {
	c := *db
	c.conn = conn
	return &c
}

// Close closes the connection pool.
func (db *DB) Close() error {
	return db.SQL.Close()
}
