package db

import (
	"errors"
	"testing"

	sqlschema "github.com/dbmail-go/dbmail/sql"
)

func step(from, to int) sqlschema.Step { return sqlschema.Step{From: from, To: to} }

// TestSchemaPlan walks spec 1.2's detection table without a database.
func TestSchemaPlan(t *testing.T) {
	v3 := []string{"users", "mailboxes", "messages", "physmessage", "mimeparts", "partlists", "header", "headername", "headervalue"}
	all := []sqlschema.Step{step(0, 32001), step(32001, 32002), step(32001, 32003),
		step(32001, 32004), step(32001, 32005), step(32001, 32006),
		step(32006, 35001), step(35001, 35002)}
	tests := []struct {
		name    string
		objects []string
		steps   []sqlschema.Step
		want    action
		wantErr error
		msg     string
	}{
		{name: "empty database", want: action{kind: actCreate}},
		{name: "unrelated tables only", objects: []string{"my_own_table"}, want: action{kind: actCreate}},
		{name: "partial", objects: []string{"mimeparts", "fromfield"}, wantErr: ErrSchemaPartial,
			msg: "database holds a partial DBMail schema: no users table but fromfield, mimeparts exist; drop them or restore the database"},
		{name: "2.x: no mimeparts", objects: []string{"users", "messages", "messageblks", "header"}, wantErr: ErrSchemaTooOld},
		{name: "2.x: no header", objects: []string{"users", "messages", "mimeparts"}, wantErr: ErrSchemaTooOld},
		{name: "3.0/3.1: no upgrade_steps", objects: v3, want: action{kind: actStep, step: sqlschema.Step{From: 0, To: 32001}}},
		{name: "3.2-3.4", objects: append(v3, "upgrade_steps"), steps: all[:6],
			want: action{kind: actStep, step: sqlschema.Step{From: 32006, To: 35001}}},
		{name: "gap is filled in order", objects: append(v3, "upgrade_steps"),
			steps: []sqlschema.Step{step(0, 32001), step(32001, 32002), step(32001, 32004)},
			want:  action{kind: actStep, step: sqlschema.Step{From: 32001, To: 32003}}},
		{name: "3.5 without our step", objects: append(v3, "upgrade_steps"), steps: all,
			want: action{kind: actStep, step: sqlschema.Step{From: 35002, To: 90001, Own: true}}},
		{name: "our first step only", objects: append(v3, "upgrade_steps"), steps: append(all, sqlschema.Step{From: 35002, To: 90001}),
			want: action{kind: actStep, step: sqlschema.Step{From: 90001, To: 90002, Own: true}}},
		{name: "complete", objects: append(v3, "upgrade_steps"), steps: append(all, sqlschema.Step{From: 35002, To: 90001}, sqlschema.Step{From: 90001, To: 90002}, sqlschema.Step{From: 90002, To: 90003}),
			want: action{kind: actDone}},
		{name: "unknown old row ignored", objects: append(v3, "upgrade_steps"),
			steps: append(append([]sqlschema.Step{step(31201, 31202)}, all...), sqlschema.Step{From: 35002, To: 90001}, sqlschema.Step{From: 90001, To: 90002}, sqlschema.Step{From: 90002, To: 90003}),
			want:  action{kind: actDone}},
		{name: "newer DBMail step", objects: append(v3, "upgrade_steps"), steps: append(all, sqlschema.Step{From: 35002, To: 35003}),
			wantErr: ErrSchemaTooNew,
			msg:     "database schema is newer than this dbmail-go: step 35003 (from 35002) is recorded in upgrade_steps; this build knows steps up to 90003"},
		{name: "newer own step", objects: append(v3, "upgrade_steps"), steps: append(all, sqlschema.Step{From: 90003, To: 90004}),
			wantErr: ErrSchemaTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := schemaState{objects: map[string]bool{}, steps: tt.steps}
			for _, o := range tt.objects {
				st.objects[o] = true
			}
			got, err := plan(st)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("plan = %+v, %v; want error %v", got, err, tt.wantErr)
				}
				if tt.msg != "" && err.Error() != tt.msg {
					t.Errorf("error = %q\nwant    %q", err, tt.msg)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("plan = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestSchemaSplitPragmas(t *testing.T) {
	rest, pragmas := splitPragmas([]string{"PRAGMA auto_vacuum = 1", "CREATE TABLE a (b INT)", "pragma x"})
	if len(rest) != 1 || rest[0] != "CREATE TABLE a (b INT)" || len(pragmas) != 2 || pragmas[1] != "pragma x" {
		t.Errorf("splitPragmas = %q, %q", rest, pragmas)
	}
}
