package db_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

func readPostgres(ctx context.Context, d *db.DB) (catalog, error) {
	c := catalog{Columns: map[string][]string{}, Views: map[string][]string{}}
	err := rows(ctx, d, `SELECT c.table_name, t.table_type, c.column_name, c.udt_name,
			c.character_maximum_length, c.is_nullable, c.column_default
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema()
		ORDER BY c.table_name, c.ordinal_position`,
		func(scan func(...any) error) error {
			var table, kind, col, typ, nullable string
			var length sql.NullInt64
			var def sql.NullString
			if err := scan(&table, &kind, &col, &typ, &length, &nullable, &def); err != nil {
				return err
			}
			if kind == "VIEW" {
				c.Views[table] = append(c.Views[table], col)
				return nil
			}
			if length.Valid {
				typ += "(" + strconv.FormatInt(length.Int64, 10) + ")"
			}
			c.Columns[table] = append(c.Columns[table], col+" "+typ+" "+nn(nullable == "YES")+normDefault(def.String, def.Valid))
			return nil
		})
	if err != nil {
		return c, err
	}
	err = rows(ctx, d, `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()`,
		func(scan func(...any) error) error {
			var table, def string
			if err := scan(&table, &def); err != nil {
				return err
			}
			def = strings.Replace(def, " ON "+"public.", " ON ", 1)
			def = strings.Replace(def, " USING btree", "", 1)
			def = strings.TrimPrefix(def, "CREATE ")
			c.Indexes = append(c.Indexes, table+": "+def)
			return nil
		})
	if err != nil {
		return c, err
	}
	err = rows(ctx, d, `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = current_schema()::regnamespace AND contype IN ('p', 'f', 'u')`,
		func(scan func(...any) error) error {
			var table, name, def string
			if err := scan(&table, &name, &def); err != nil {
				return err
			}
			c.Constraints = append(c.Constraints, table+": "+name+" "+def)
			return nil
		})
	if err != nil {
		return c, err
	}
	err = rows(ctx, d, `SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()`,
		func(scan func(...any) error) error {
			var name string
			if err := scan(&name); err != nil {
				return err
			}
			c.Sequences = append(c.Sequences, name)
			return nil
		})
	return c, err
}
