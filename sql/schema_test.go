package sqlschema

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var backends = []Backend{PostgreSQL, MySQL, SQLite}

func TestSchemaRewrite(t *testing.T) {
	tests := []struct {
		name    string
		b       Backend
		prefix  string
		in, out string
	}{
		{"default prefix unchanged", PostgreSQL, "dbmail_",
			"CREATE UNIQUE INDEX usermap_idx_1 ON dbmail_usermap (login)",
			"CREATE UNIQUE INDEX usermap_idx_1 ON dbmail_usermap (login)"},
		{"tables, sequences and global index names", PostgreSQL, "mail_",
			"CREATE SEQUENCE dbmail_user_idnr_seq; CREATE TABLE dbmail_users (user_idnr INT8 DEFAULT nextval('dbmail_user_idnr_seq')); CREATE UNIQUE INDEX usermap_idx_1 ON dbmail_usermap (login, usermap_idx_1x)",
			"CREATE SEQUENCE mail_user_idnr_seq; CREATE TABLE mail_users (user_idnr INT8 DEFAULT nextval('mail_user_idnr_seq')); CREATE UNIQUE INDEX mail_usermap_idx_1 ON mail_usermap (login, usermap_idx_1x)"},
		{"mysql index names are per table", MySQL, "mail_",
			"CREATE TABLE `dbmail_usermap` (`login` varchar(255), UNIQUE KEY `usermap_idx_1` (`login`), CONSTRAINT `dbmail_usermap_ibfk_1` FOREIGN KEY (x) REFERENCES `dbmail_users` (y))",
			"CREATE TABLE `mail_usermap` (`login` varchar(255), UNIQUE KEY `usermap_idx_1` (`login`), CONSTRAINT `mail_usermap_ibfk_1` FOREIGN KEY (x) REFERENCES `mail_users` (y))"},
		{"sqlite triggers and their messages", SQLite, "t_",
			"CREATE TRIGGER fk_insert_dbmail_keywords_dbmail_messages_message_idnr BEFORE INSERT ON dbmail_keywords FOR EACH ROW BEGIN SELECT RAISE (ABORT, 'insert on table \"dbmail_keywords\" violates foreign key constraint \"fk_insert_dbmail_keywords_dbmail_messages_message_idnr\"'); END",
			"CREATE TRIGGER t_fk_insert_dbmail_keywords_dbmail_messages_message_idnr BEFORE INSERT ON t_keywords FOR EACH ROW BEGIN SELECT RAISE (ABORT, 'insert on table \"t_keywords\" violates foreign key constraint \"t_fk_insert_dbmail_keywords_dbmail_messages_message_idnr\"'); END"},
		{"empty prefix", SQLite, "",
			"CREATE VIEW dbmail_fromfield AS SELECT physmessage_id FROM dbmail_messages m WHERE n.headername = 'from'",
			"CREATE VIEW fromfield AS SELECT physmessage_id FROM messages m WHERE n.headername = 'from'"},
		{"seed values untouched", PostgreSQL, "x_",
			"INSERT INTO dbmail_users (userid) VALUES ('__@!internal_delivery_user!@__')",
			"INSERT INTO x_users (userid) VALUES ('__@!internal_delivery_user!@__')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rewrite(tt.b, tt.in, tt.prefix); got != tt.out {
				t.Errorf("Rewrite\n got  %s\n want %s", got, tt.out)
			}
		})
	}
}

// TestSchemaFilesLoad: every script of every backend loads and splits, in the
// statement counts the files hold, and no DBMail name survives a rewrite.
func TestSchemaFilesLoad(t *testing.T) {
	tables := map[Backend]int{PostgreSQL: 25, MySQL: 24, SQLite: 25}
	for _, b := range backends {
		for _, prefix := range []string{"dbmail_", "mail_"} {
			stmts, err := Create(b, prefix)
			if err != nil {
				t.Fatalf("Create(%s): %v", b, err)
			}
			if n := count(stmts, `^CREATE TABLE`); n != tables[b] {
				t.Errorf("%s create: %d tables, want %d", b, n, tables[b])
			}
			if n := count(stmts, `^CREATE VIEW`); n != 5 {
				t.Errorf("%s create: %d views, want 5", b, n)
			}
			if b == SQLite {
				if n := count(stmts, `^CREATE TRIGGER`); n != 80 {
					t.Errorf("sqlite create: %d triggers, want 80", n)
				}
				if stmts[0] != "PRAGMA auto_vacuum = 1" {
					t.Errorf("sqlite create starts with %q", stmts[0])
				}
			}
			if b == PostgreSQL {
				if n := count(stmts, `^CREATE SEQUENCE`); n != 15 {
					t.Errorf("postgresql create: %d sequences, want 15 (spec 1.8)", n)
				}
			}
			legacy, err := Legacy31(b, prefix)
			if err != nil {
				t.Fatalf("Legacy31(%s): %v", b, err)
			}
			if n := count(legacy, `^CREATE TABLE`); n != tables[b]-1 {
				t.Errorf("%s legacy: %d tables, want %d (no upgrade_steps)", b, n, tables[b]-1)
			}
			if prefix != DefaultPrefix {
				all := append(append([]string{}, stmts...), legacy...)
				for _, s := range all {
					if regexp.MustCompile(`(^|[^A-Za-z0-9_])dbmail_`).MatchString(s) {
						t.Errorf("%s: dbmail_ left after rewrite in %q", b, s)
					}
				}
			}
		}
	}
}

func count(stmts []string, pattern string) int {
	re := regexp.MustCompile(`(?i)` + pattern)
	n := 0
	for _, s := range stmts {
		if re.MatchString(s) {
			n++
		}
	}
	return n
}

// TestSchemaStepsRecordThemselves: each step's last statement inserts exactly its
// own (from, to) row, as DBMail's step scripts do (spec 1.2).
func TestSchemaStepsRecordThemselves(t *testing.T) {
	for _, b := range backends {
		for _, s := range Steps() {
			stmts, err := StepSQL(b, s.To, "dbmail_")
			if err != nil {
				t.Fatalf("%s step %d: %v", b, s.To, err)
			}
			last := stmts[len(stmts)-1]
			want := fmt.Sprintf("VALUES (%d, %d", s.From, s.To)
			if !strings.HasPrefix(last, "INSERT INTO dbmail_upgrade_steps") || !strings.Contains(last, want) {
				t.Errorf("%s step %d ends with %q, want an insert of (%d, %d)", b, s.To, last, s.From, s.To)
			}
		}
	}
	if _, err := StepSQL(SQLite, 12345, "dbmail_"); err == nil || err.Error() != "no upgrade step to version 12345" {
		t.Errorf("unknown step: err = %v", err)
	}
	if _, err := Create("oracle", "dbmail_"); err == nil || err.Error() != `unknown backend "oracle"` {
		t.Errorf("unknown backend: err = %v", err)
	}
}

func TestSchemaStepsOrder(t *testing.T) {
	got := []string{}
	for _, s := range Steps() {
		got = append(got, fmt.Sprintf("%d->%d own=%v", s.From, s.To, s.Own))
	}
	want := []string{"0->32001 own=false", "32001->32002 own=false", "32001->32003 own=false",
		"32001->32004 own=false", "32001->32005 own=false", "32001->32006 own=false",
		"32006->35001 own=false", "35001->35002 own=false", "35002->90001 own=true", "90001->90002 own=true", "90002->90003 own=true"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Steps() = %q, want %q", got, want)
	}
	if LatestStep() != 90003 {
		t.Errorf("LatestStep() = %d", LatestStep())
	}
	if n := len(HeaderNames()); n != 12 {
		t.Errorf("%d header names, want 12", n)
	}
}
