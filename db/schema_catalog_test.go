package db_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dbmail-go/dbmail/db"
)

// catalog is a backend-neutral rendering of what a database's system
// catalog says about its schema, for comparison with a transcript of the
// spec. Every entry is one line of text; see the readers for the formats.
type catalog struct {
	Columns     map[string][]string // table -> "name type NN|NULL [PK] [AI] [default=…]" in column order
	Indexes     []string            // "table: name [UNIQUE] (col, …) [WHERE …]"
	Constraints []string            // PG: "table: name definition"; MySQL: "table: name (col) -> parent(col) ON DELETE … ON UPDATE …"
	Views       map[string][]string // view -> column names
	Triggers    []string            // SQLite: "name ON table"
	Sequences   []string            // PostgreSQL
	Options     []string            // MySQL: "table: engine charset [row_format]"; SQLite: "auto_vacuum=N"
}

func readCatalog(t *testing.T, d *db.DB) catalog {
	t.Helper()
	ctx := context.Background()
	var c catalog
	var err error
	switch d.Dialect {
	case db.Postgres:
		c, err = readPostgres(ctx, d)
	case db.MySQL:
		c, err = readMySQL(ctx, d)
	default:
		c, err = readSQLite(ctx, d)
	}
	if err != nil {
		t.Fatalf("read %s catalog: %v", d.Dialect, err)
	}
	sort.Strings(c.Indexes)
	sort.Strings(c.Constraints)
	sort.Strings(c.Triggers)
	sort.Strings(c.Sequences)
	sort.Strings(c.Options)
	return c
}

// rows runs query and calls scan for each row.
func rows(ctx context.Context, d *db.DB, query string, scan func(func(...any) error) error, args ...any) error {
	r, err := d.SQL.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	defer r.Close()
	for r.Next() {
		if err := scan(r.Scan); err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
	}
	return r.Err()
}

var (
	pgCast    = regexp.MustCompile(`::[a-z ]+(\([0-9]+\))?`)
	intWidth  = regexp.MustCompile(`^(bigint|int|smallint|mediumint)\([0-9]+\)`)
	tinyWidth = regexp.MustCompile(`^tinyint\(([0-9]+)\)`)
)

// normDefault renders a column default the same way on every backend:
// literals quoted ('0', ”), NULL as NULL, expressions lower-case without
// PostgreSQL casts (nextval(seq), now(), current_timestamp).
func normDefault(v string, valid bool) string {
	if !valid {
		return ""
	}
	v = strings.TrimSpace(pgCast.ReplaceAllString(v, ""))
	for strings.HasPrefix(v, "(") && strings.HasSuffix(v, ")") {
		v = v[1 : len(v)-1]
	}
	switch {
	case strings.EqualFold(v, "NULL"):
		return " default=NULL"
	case strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") && len(v) >= 2:
		return " default='" + v[1:len(v)-1] + "'"
	case v != "" && strings.Trim(v, "0123456789.-") == "":
		return " default='" + v + "'"
	}
	return " default=" + strings.ReplaceAll(strings.ToLower(v), "'", "")
}

func nn(nullable bool) string {
	if nullable {
		return "NULL"
	}
	return "NN"
}
