package db

import (
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	cases := []struct {
		uri     string
		dialect Dialect
		want    []string // substrings of the DSN
		not     []string
	}{
		{"postgresql://u:p@127.0.0.1:5432/mail", Postgres, []string{"postgres://u:p@127.0.0.1:5432/mail", "application_name=dbmail-imapd", "sslmode=disable"}, nil},
		{"postgresql://db.example.org/mail?user=u&password=p&application-name=x", Postgres, []string{"u:p@db.example.org", "application_name=x"}, []string{"sslmode", "application-name"}},
		{"postgresql://127.0.0.1/mail?sslmode=require", Postgres, []string{"sslmode=require"}, nil},
		{"mysql://root@127.0.0.1:3306/test", MySQL, []string{"root@tcp(127.0.0.1:3306)/test", "charset=utf8mb4", "interpolateParams=true"}, nil},
		{"mysql://u:p@localhost/db?unix-socket=/run/mysqld/mysqld.sock", MySQL, []string{"unix(/run/mysqld/mysqld.sock)/db"}, nil},
		{"sqlite:///var/lib/dbmail/dbmail.db", SQLite, []string{"file:/var/lib/dbmail/dbmail.db?", "busy_timeout", "_txlock=immediate"}, nil},
	}
	for _, c := range cases {
		tg, err := ParseURI(c.uri, "dbmail-imapd")
		if err != nil {
			t.Fatalf("%s: %v", c.uri, err)
		}
		if tg.Dialect != c.dialect {
			t.Fatalf("%s: dialect %v", c.uri, tg.Dialect)
		}
		for _, w := range c.want {
			if !strings.Contains(tg.DSN, w) {
				t.Errorf("%s: DSN %q lacks %q", c.uri, tg.DSN, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(tg.DSN, w) {
				t.Errorf("%s: DSN %q has %q", c.uri, tg.DSN, w)
			}
		}
	}
	for _, bad := range []string{"oracle://x/y", "sqlite://", "::"} {
		if _, err := ParseURI(bad, "p"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRewriter(t *testing.T) {
	r := &Rewriter{Dialect: Postgres, Prefix: "x_"}
	got := r.Q(`SELECT a FROM {users} WHERE b = ? AND c = '?{no}' AND d = ?`)
	want := `SELECT a FROM x_users WHERE b = $1 AND c = '?{no}' AND d = $2`
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	r = &Rewriter{Dialect: MySQL, Prefix: "dbmail_"}
	if got := r.Q(`SELECT {size} FROM {mimeparts} WHERE id = ?`); got != `SELECT dbmail_size FROM dbmail_mimeparts WHERE id = ?` {
		t.Fatalf("mysql: %q", got)
	}
	if r.QuoteIdent("size") != "`size`" {
		t.Fatal("mysql quoting")
	}
}
