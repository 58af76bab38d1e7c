package sqlschema

import (
	"reflect"
	"strings"
	"testing"
)

func TestSchemaSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only comments", "-- one\n/* two */\n;\n", nil},
		{"two statements", "SELECT 1;\nSELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"no final semicolon", "SELECT 1;\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"line comment dropped", "SELECT 1 -- a; b\n;", []string{"SELECT 1"}},
		{"block comment dropped", "SELECT /* ; */ 1;", []string{"SELECT   1"}},
		{"semicolon in string", "INSERT INTO t VALUES ('a;b');", []string{"INSERT INTO t VALUES ('a;b')"}},
		{"doubled quote in string", "SELECT 'it''s; fine';", []string{"SELECT 'it''s; fine'"}},
		{"dashes in string", "SELECT '--x';", []string{"SELECT '--x'"}},
		{"quoted identifiers", "SELECT \"a;\", `b;`;", []string{"SELECT \"a;\", `b;`"}},
		{"unterminated string", "SELECT 'abc", []string{"SELECT 'abc"}},
		{"unterminated comment", "SELECT 1; /* x", []string{"SELECT 1"}},
		{
			"trigger body keeps its semicolons",
			"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN\n  SELECT CASE WHEN 1 THEN RAISE (ABORT, 'no;') END;\n  DELETE FROM y;\nEND;\nSELECT 2;",
			[]string{
				"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN\n  SELECT CASE WHEN 1 THEN RAISE (ABORT, 'no;') END;\n  DELETE FROM y;\nEND",
				"SELECT 2",
			},
		},
		{"temp trigger", "create temp trigger t after delete on x begin delete from y; end; select 1",
			[]string{"create temp trigger t after delete on x begin delete from y; end", "select 1"}},
		{"BEGIN outside a trigger is a statement", "BEGIN; SELECT 1; COMMIT;", []string{"BEGIN", "SELECT 1", "COMMIT"}},
		{"CASE outside a trigger", "SELECT CASE WHEN a THEN 1 END; SELECT 2", []string{"SELECT CASE WHEN a THEN 1 END", "SELECT 2"}},
		{"identifier containing end", "CREATE TRIGGER t AFTER UPDATE ON x BEGIN UPDATE y SET endx = 1, legend = 2; END; X",
			[]string{"CREATE TRIGGER t AFTER UPDATE ON x BEGIN UPDATE y SET endx = 1, legend = 2; END", "X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Split(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Split(%q)\n got  %q\n want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzSchemaSplit checks that Split never panics, never returns blank statements,
// and is stable: splitting one of its statements again gives it back.
func FuzzSchemaSplit(f *testing.F) {
	f.Add("SELECT 1; SELECT 2")
	f.Add("CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SELECT CASE WHEN 1 THEN 2 END; END; X;")
	f.Add("INSERT INTO t VALUES ('a;''b', \"c;\", `d;`); -- e;\n/* f; */ g")
	f.Add("CREATE TRIGGER")
	for _, b := range []Backend{PostgreSQL, MySQL, SQLite} {
		text, err := files.ReadFile(string(b) + "/create.sql")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(text))
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, s := range Split(in) {
			if strings.TrimSpace(s) == "" {
				t.Fatalf("blank statement from %q", in)
			}
			again := Split(s)
			if len(again) != 1 || again[0] != s {
				t.Fatalf("Split(%q) = %q, not stable", s, again)
			}
		}
	})
}

func BenchmarkSplitCreate(b *testing.B) {
	text, err := files.ReadFile("sqlite/create.sql")
	if err != nil {
		b.Fatal(err)
	}
	trig, err := files.ReadFile("sqlite/triggers.sql")
	if err != nil {
		b.Fatal(err)
	}
	script := string(text) + string(trig)
	b.SetBytes(int64(len(script)))
	for b.Loop() {
		Split(script)
	}
}
