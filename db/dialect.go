// Package db is the data layer: one API over DBMail's schema on PostgreSQL,
// MySQL/MariaDB and SQLite. Queries are written once with `?` placeholders and
// `{table}` names; the dialect rewrites them (placeholders to $n on
// PostgreSQL, table names with the configured prefix, spec 1.1).
package db

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Dialect names one of the three SQL backends DBMail supports.
type Dialect int

const (
	Postgres Dialect = iota + 1
	MySQL
	SQLite
)

func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgresql"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return "dialect(" + strconv.Itoa(int(d)) + ")"
}

// ParseDialect maps a dburi scheme or deprecated `driver` value to a Dialect.
func ParseDialect(s string) (Dialect, error) {
	switch strings.ToLower(s) {
	case "postgresql", "postgres", "pgsql":
		return Postgres, nil
	case "mysql", "mariadb":
		return MySQL, nil
	case "sqlite", "sqlite3":
		return SQLite, nil
	}
	return 0, fmt.Errorf("unsupported database driver %q (want postgresql, mysql or sqlite)", s)
}

// Rewriter turns a portable query into the dialect's text. It is safe for
// concurrent use and caches every query it has seen.
type Rewriter struct {
	Dialect Dialect
	Prefix  string // table prefix, "dbmail_" by default (spec 1.1)
	cache   sync.Map
	cached  atomic.Int64
}

// maxCachedQueries bounds the rewrite cache: multi-row statements come in
// many shapes, and only the common ones are worth keeping.
const maxCachedQueries = 4096

// Q rewrites query: `{name}` becomes Prefix+name, `?` becomes `$n` on
// PostgreSQL, and `{size}`-style quoting of reserved words is left to callers
// through QuoteIdent. Text inside single quotes is left alone.
func (r *Rewriter) Q(query string) string {
	if v, ok := r.cache.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 32)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case inQuote:
			b.WriteByte(c)
		case c == '?' && r.Dialect == Postgres:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		case c == '{':
			end := strings.IndexByte(query[i:], '}')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			name := query[i+1 : i+end]
			b.WriteString(r.Prefix)
			b.WriteString(name)
			i += end
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if r.cached.Load() < maxCachedQueries {
		if _, loaded := r.cache.LoadOrStore(query, out); !loaded {
			r.cached.Add(1)
		}
	}
	return out
}

// Table returns the prefixed name of a table.
func (r *Rewriter) Table(name string) string { return r.Prefix + name }

// QuoteIdent quotes a column name that is a reserved word on some backend
// (DBMail quotes mimeparts.size with backticks on MySQL, double quotes on
// PostgreSQL; spec 1.4).
func (r *Rewriter) QuoteIdent(name string) string {
	if r.Dialect == MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}
